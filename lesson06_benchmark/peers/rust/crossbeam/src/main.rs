//! peer-crossbeam: the benchmark's workloads on a small work-stealing pool
//! written on crossbeam-deque (pool.rs), what a Rust programmer builds when
//! rayon's pool is not the one they want.  A program of its own, as the C
//! peers are (lesson06_benchmark/peers/peer.h); the arguments, timing and
//! checks are the peer crate's, a port of peer_main.c.
//!
//! Threads: a Pool of THREADS workers.  The calling thread hands the
//! workload's root to the pool (Pool::run: into the Injector) and blocks
//! until every task has run, so THREADS threads run tasks, and the thread
//! that spawns them is one of the THREADS, as with rayon's install and in
//! the OpenMP team.
//!
//! How each workload maps:
//!   flat, imbalanced  the root spawns n tasks (onto its worker's deque);
//!                     the pending counter waits for them
//!   spawn_inside      the root spawns one task, which spawns n more
//!   tree              each task spawns its two children
//!   fib               Ctx::join(fib(n-1), fib(n-2)): a join per call, the
//!                     joining worker helping (running other tasks) until
//!                     its b is done
//!   nqueens           below depth CUTOFF a board's placements are split in
//!                     two halves with join, down to one placement each
//!   sort              join of the two halves while longer than GRAIN, then
//!                     the serial merge
//!   reduce            join of [lo, m) and [m, hi); for GRAIN 0, b is
//!                     stolen when it runs on another worker than the one
//!                     that split it (Ctx::index), and splits as rayon's
//!                     Splitter
//! A trivial task counts itself under its worker's index.
//!
//! The wake-up test (peer.h): the calling thread is none of the THREADS
//! workers; it spawns each task from outside (Pool::spawn: into the
//! Injector, waking a sleeping worker) and waits on the peer crate's
//! semaphore.  Only the workers run tasks, so none runs on the submitter.

// pool.rs's one unsafe fn marks its unsafe operation with a block of its own.
#![deny(unsafe_op_in_unsafe_fn)]

mod pool;

use peer::programs::{self, Board};
use peer::{Runtime, Workload};
use pool::{Ctx, Pool};
use std::process::ExitCode;

struct Crossbeam {
    pool: Pool,
    threads: u32,
}

fn spawn_n(ctx: &Ctx, n: u64, imbalanced: bool) {
    for i in 0..n {
        ctx.spawn(move |ctx| {
            if imbalanced {
                peer::spin_us(peer::imbalanced_us(i));
            }
            peer::trivial(ctx.index());
        });
    }
}

fn tree(ctx: &Ctx, depth: u64) {
    peer::trivial(ctx.index());
    if depth > 0 {
        ctx.spawn(move |ctx| tree(ctx, depth - 1));
        ctx.spawn(move |ctx| tree(ctx, depth - 1));
    }
}

fn fib(ctx: &Ctx, n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = ctx.join(|ctx| fib(ctx, n - 1), |ctx| fib(ctx, n - 2));
    a + b
}

/// The solutions below board b: counted serially at depth >= cutoff (or
/// where no queen fits), else by its placements, in parallel.
fn board(ctx: &Ctx, n: u32, cutoff: u32, b: Board) -> u64 {
    let free = b.free(n);
    if b.depth >= cutoff || free == 0 {
        return b.count(n);
    }
    placements(ctx, n, cutoff, b, free)
}

/// The placements `bits` (not empty) on board b: halved with join until
/// one is left, so each one may run on another worker.
fn placements(ctx: &Ctx, n: u32, cutoff: u32, b: Board, bits: u32) -> u64 {
    if bits.count_ones() == 1 {
        return board(ctx, n, cutoff, b.place(bits));
    }
    let lower = programs::lower_half(bits);
    let (x, y) = ctx.join(
        |ctx| placements(ctx, n, cutoff, b, lower),
        |ctx| placements(ctx, n, cutoff, b, bits ^ lower),
    );
    x + y
}

fn sort(ctx: &Ctx, a: &mut [u32], tmp: &mut [u32], grain: usize) {
    if !programs::sort_splits(a.len(), grain) {
        return programs::sort(a, tmp);
    }
    let m = a.len() / 2;
    let (al, ar) = a.split_at_mut(m);
    let (tl, tr) = tmp.split_at_mut(m);
    ctx.join(|ctx| sort(ctx, al, tl, grain), |ctx| sort(ctx, ar, tr, grain));
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
    /// (a, run on by the splitting worker, never is).
    fn piece(&self, ctx: &Ctx, lo: usize, hi: usize, mut splits: u32, stolen: bool) -> u64 {
        if !programs::reduce_splits(hi - lo, self.grain, stolen, self.threads, &mut splits) {
            return programs::reduce_range(self.a, lo, hi);
        }
        let m = lo + (hi - lo) / 2;
        let splitter = ctx.index();
        let (x, y) = ctx.join(
            |ctx| self.piece(ctx, lo, m, splits, false),
            |ctx| self.piece(ctx, m, hi, splits, ctx.index() != splitter),
        );
        x.wrapping_add(y)
    }
}

impl Runtime for Crossbeam {
    fn new(threads: usize, _outside: bool) -> Option<Self> {
        // outside or not, THREADS workers: the caller is never one of them
        Some(Crossbeam { pool: Pool::new(threads)?, threads: threads as u32 })
    }

    fn run(&self, w: Workload, n: u64) -> u64 {
        self.pool.run(|ctx| {
            match w {
                Workload::Flat => spawn_n(ctx, n, false),
                Workload::Imbalanced => spawn_n(ctx, n, true),
                Workload::SpawnInside => ctx.spawn(move |ctx| spawn_n(ctx, n, false)),
                Workload::Tree => ctx.spawn(move |ctx| tree(ctx, n)),
                Workload::Fib => return fib(ctx, n),
            }
            0
        })
    }

    fn submit(&self, task: Box<dyn FnOnce() + Send>) {
        self.pool.spawn(move |_| task());
    }

    fn nqueens(&self, n: u32, cutoff: u32) -> u64 {
        self.pool.run(|ctx| board(ctx, n, cutoff, Board::default()))
    }

    fn sort(&self, a: &mut [u32], tmp: &mut [u32], grain: usize) {
        self.pool.run(|ctx| sort(ctx, a, tmp, grain));
    }

    fn reduce(&self, a: &[u32], grain: usize) -> u64 {
        let r = Reduce { a, grain, threads: self.threads };
        // the whole array: THREADS splits, never stolen
        self.pool.run(|ctx| r.piece(ctx, 0, a.len(), r.threads, false))
    }
}

fn main() -> ExitCode {
    peer::main::<Crossbeam>()
}
