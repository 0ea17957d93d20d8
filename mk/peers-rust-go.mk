# mk/peers-rust-go.mk: the rayon, crossbeam-deque and Go peers.
