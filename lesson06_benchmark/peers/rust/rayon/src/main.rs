//! peer-rayon: the benchmark's workloads on rayon (Debian: librust-rayon-dev),
//! the Rust programmer's choice.  A program of its own, as the C peers are
//! (lesson06_benchmark/peers/peer.h); the arguments, timing and checks are
//! the peer crate's, a port of peer_main.c.
//!
//! Threads: a ThreadPool of THREADS workers.  The calling thread hands the
//! workload to the pool (`install`, or `scope`, which installs) and blocks
//! until it returns, so THREADS threads run tasks, and the thread that spawns
//! them is one of the THREADS, as in the OpenMP team and the oneTBB arena.
//!
//! How each workload maps:
//!   flat, imbalanced  a scope on one worker spawns n tasks (into that
//!                     worker's deque); the scope's end waits for them
//!   spawn_inside      a scope spawns one task, which spawns n more
//!   tree              each task spawns its two children into the scope
//!   fib               rayon::join(fib(n-1), fib(n-2)): a join per call
//!   nqueens           below depth CUTOFF a board's placements are split in
//!                     two halves with join, down to one placement each
//!   sort              join of the two halves while longer than GRAIN, then
//!                     the serial merge
//!   reduce            join of [lo, m) and [m, hi); GRAIN 0 splits as
//!                     rayon's own Splitter does, told "stolen" by
//!                     join_context's FnContext::migrated()
//! A trivial task counts itself under rayon::current_thread_index().
//!
//! The wake-up test (peer.h): the calling thread is none of the pool's
//! THREADS workers; it hands each task to the pool from outside
//! (ThreadPool::spawn, which injects it and wakes a sleeping worker) and
//! waits on the peer crate's semaphore.  rayon never runs a job on a thread
//! outside its pool, so no task runs on the submitter (the count says 0).
//!
//! No unsafe: rayon's join and scope let tasks borrow from their caller.

use peer::programs::{self, Board};
use peer::{Runtime, Workload};
use rayon::{Scope, ThreadPool, ThreadPoolBuilder};
use std::process::ExitCode;

struct Rayon {
    pool: ThreadPool,
    threads: u32,
}

/// The running worker's index, 0 .. THREADS-1: which counter a task adds to.
fn worker() -> usize {
    rayon::current_thread_index().expect("a task runs on a pool worker")
}

fn spawn_n(s: &Scope, n: u64, imbalanced: bool) {
    for i in 0..n {
        s.spawn(move |_| {
            if imbalanced {
                peer::spin_us(peer::imbalanced_us(i));
            }
            peer::trivial(worker());
        });
    }
}

fn tree(s: &Scope, depth: u64) {
    peer::trivial(worker());
    if depth > 0 {
        s.spawn(move |s| tree(s, depth - 1));
        s.spawn(move |s| tree(s, depth - 1));
    }
}

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| fib(n - 1), || fib(n - 2));
    a + b
}

/// The solutions below board b: counted serially at depth >= cutoff (or
/// where no queen fits), else by its placements, in parallel.
fn board(n: u32, cutoff: u32, b: Board) -> u64 {
    let free = b.free(n);
    if b.depth >= cutoff || free == 0 {
        return b.count(n);
    }
    placements(n, cutoff, b, free)
}

/// The placements `bits` (not empty) on board b: halved with join until
/// one is left, so each one may run on another worker.
fn placements(n: u32, cutoff: u32, b: Board, bits: u32) -> u64 {
    if bits.count_ones() == 1 {
        return board(n, cutoff, b.place(bits));
    }
    let lower = programs::lower_half(bits);
    let (x, y) =
        rayon::join(|| placements(n, cutoff, b, lower), || placements(n, cutoff, b, bits ^ lower));
    x + y
}

fn sort(a: &mut [u32], tmp: &mut [u32], grain: usize) {
    if !programs::sort_splits(a.len(), grain) {
        return programs::sort(a, tmp);
    }
    let m = a.len() / 2;
    let (al, ar) = a.split_at_mut(m);
    let (tl, tr) = tmp.split_at_mut(m);
    rayon::join(|| sort(al, tl, grain), || sort(ar, tr, grain));
    programs::merge(a, m, tmp);
}

/// One reduce: its keys, its grain, and THREADS, where the Splitter starts.
struct Reduce<'a> {
    a: &'a [u32],
    grain: usize,
    threads: u32,
}

impl Reduce<'_> {
    /// The sum over [lo, hi), a piece with its Splitter count; stolen:
    /// whether it runs on another worker than the one that split it off
    /// (join_context's migrated() for join's b; a, run on by the splitting
    /// worker, never is).
    fn piece(&self, lo: usize, hi: usize, mut splits: u32, stolen: bool) -> u64 {
        if !programs::reduce_splits(hi - lo, self.grain, stolen, self.threads, &mut splits) {
            return programs::reduce_range(self.a, lo, hi);
        }
        let m = lo + (hi - lo) / 2;
        let (x, y) = rayon::join_context(
            |_| self.piece(lo, m, splits, false),
            |ctx| self.piece(m, hi, splits, ctx.migrated()),
        );
        x.wrapping_add(y)
    }
}

impl Runtime for Rayon {
    fn new(threads: usize, _outside: bool) -> Option<Self> {
        // outside or not, THREADS workers: the caller is never one of them
        let pool = ThreadPoolBuilder::new().num_threads(threads).build().ok()?;
        Some(Rayon { pool, threads: threads as u32 })
    }

    fn run(&self, w: Workload, n: u64) -> u64 {
        match w {
            Workload::Flat => self.pool.scope(|s| spawn_n(s, n, false)),
            Workload::Imbalanced => self.pool.scope(|s| spawn_n(s, n, true)),
            Workload::SpawnInside => self.pool.scope(|s| s.spawn(move |s| spawn_n(s, n, false))),
            Workload::Tree => self.pool.scope(|s| s.spawn(move |s| tree(s, n))),
            Workload::Fib => return self.pool.install(|| fib(n)),
        }
        0
    }

    fn submit(&self, task: Box<dyn FnOnce() + Send>) {
        self.pool.spawn(task);
    }

    fn nqueens(&self, n: u32, cutoff: u32) -> u64 {
        self.pool.install(|| board(n, cutoff, Board::default()))
    }

    fn sort(&self, a: &mut [u32], tmp: &mut [u32], grain: usize) {
        self.pool.install(|| sort(a, tmp, grain));
    }

    fn reduce(&self, a: &[u32], grain: usize) -> u64 {
        let r = Reduce { a, grain, threads: self.threads };
        // the whole array: THREADS splits, never stolen
        self.pool.install(|| r.piece(0, a.len(), r.threads, false))
    }
}

fn main() -> ExitCode {
    peer::main::<Rayon>()
}
