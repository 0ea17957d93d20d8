//! peer: the part of every Rust peer program that is not the peer's runtime:
//! arguments, timing, counting, checking.  A port of
//! lesson06_benchmark/peers/peer_main.c, step for step (the protocol is
//! peers/peer.h), so that a Rust peer's row and a C peer's measure the same
//! thing; the real programs' shared code is programs.rs, a port of
//! lesson06_benchmark/programs.c.
//!
//! A runtime implements `Runtime`, and its program's main is
//! `peer::main::<TheRuntime>()`.
//!
//! The task bodies are bench.c's: a trivial task adds one to its thread's own
//! counter, on a cache line of its own, and an imbalanced task spins first.
//! Each counter has one writer and is read only after the run has ended (the
//! runtime's join or wait orders the writes before the read), so a relaxed
//! load and store do: they compile to the plain `mov`s of the C peers' `n++`,
//! where a `fetch_add` would be a locked instruction the C peers do not pay.

pub mod programs;

use std::env;
use std::process::{self, ExitCode};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// What bench.c calls a workload; SIZE's meaning is in peer.h.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workload {
    Flat,
    SpawnInside,
    Tree,
    Fib,
    Imbalanced,
}

/// What a peer's runtime provides (peer.h's "written by each peer").
pub trait Runtime: Sized {
    /// Sets up the runtime for `threads` threads (peer_init).  outside ==
    /// false: `threads` threads run the workloads' tasks, and the thread that
    /// submits the work is one of them; outside == true: the runtime gets
    /// `threads` workers, and the calling thread only submits (the wake-up
    /// test).  None if it cannot.
    fn new(threads: usize, outside: bool) -> Option<Self>;

    /// One run of workload w of size n; returns when every task has run,
    /// with fib's answer for Workload::Fib (0 otherwise).
    fn run(&self, w: Workload, n: u64) -> u64;

    /// The wake-up test: hands `task` to the runtime from the calling thread,
    /// which is none of its workers, and returns at once.
    fn submit(&self, task: Box<dyn FnOnce() + Send>);

    /// The real programs (programs.h): the N-queens count with a task per
    /// placement above depth `cutoff`, ...
    fn nqueens(&self, n: u32, cutoff: u32) -> u64;

    /// ... the merge sort of `a` (with `tmp`, as long) whose halves run in
    /// parallel while longer than `grain`, ...
    fn sort(&self, a: &mut [u32], tmp: &mut [u32], grain: usize);

    /// ... and the sum of f over `a`, split to `grain` (0: adaptive, as
    /// rayon's Splitter).
    fn reduce(&self, a: &[u32], grain: usize) -> u64;
}

// ---- the task bodies ----

const MAX_THREADS: usize = 256;

/// A counter alone on its cache line (64 bytes on x86-64, as the C peers'
/// `_Alignas(64)`), so that two threads counting never share a line.
#[repr(align(64))]
struct Padded(AtomicU64);

#[allow(clippy::declare_interior_mutable_const)] // a template for the array, copied
const ZERO: Padded = Padded(AtomicU64::new(0));
static COUNTS: [Padded; MAX_THREADS] = [ZERO; MAX_THREADS];

/// The trivial task's body: counts one task for thread `thread` (0 .. 255).
#[inline]
pub fn trivial(thread: usize) {
    let n = &COUNTS[thread % MAX_THREADS].0;
    // One writer per counter (above): a load and a store, as C's n++.
    n.store(n.load(Relaxed) + 1, Relaxed);
}

// relaxed, in total() and reset(): read after the run and zeroed before it,
// on the thread that starts and waits for it; the runtime's own spawn and
// join or wait order the workers' stores between the two.
fn total() -> u64 {
    COUNTS.iter().map(|c| c.0.load(Relaxed)).sum()
}

fn reset() {
    COUNTS.iter().for_each(|c| c.0.store(0, Relaxed));
}

/// Busy-waits for `us` microseconds by the monotonic clock (Instant is
/// CLOCK_MONOTONIC, read through the vDSO), as common/clock.h's spin_ns.
pub fn spin_us(us: u32) {
    let end = Instant::now() + Duration::from_micros(us.into());
    while Instant::now() < end {}
}

/// The imbalanced workload's task i length in microseconds: 1, every 100th 100.
pub fn imbalanced_us(i: u64) -> u32 {
    if i % 100 == 99 {
        100
    } else {
        1
    }
}

// ---- clocks ----

/// The CPU time of the whole process, every thread, in ns (clock.h's
/// cpu_ns).
pub fn cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given, which is
    // ours and valid.  std has no process CPU clock (Instant and SystemTime
    // are wall clocks), hence the one unsafe call of the Rust peers' common
    // part.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn ns(d: Duration) -> u64 {
    d.as_nanos() as u64
}

// ---- the wake-up test (peer_main.c's peer_wake_gap, _task, _wait) ----

/// WAKE_WARMUP untimed rounds, then the timed ones, each after a quiet gap.
const WAKE_WARMUP: usize = 10;
const WAKE_GAP: Duration = Duration::from_millis(1);

/// What the task reports: when it started, and whether on the submitter.
struct Started {
    at: Instant,
    on_caller: bool,
}

/// The semaphore the task posts and the submitter waits on (peer_main.c's
/// `done`): a Mutex and a Condvar, so the submitter blocks in the kernel, no
/// scheduling point of any runtime, and cannot pick up the task itself.
static STARTED: Mutex<Option<Started>> = Mutex::new(None);
static POSTED: Condvar = Condvar::new();

/// The task: notes when it started and on which thread, then posts.
fn wake_task(submitter: ThreadId) {
    let at = Instant::now();
    let on_caller = thread::current().id() == submitter;
    *STARTED.lock().unwrap() = Some(Started { at, on_caller });
    POSTED.notify_one();
}

/// Blocks until the task has posted; a task that has not run within 10 s
/// never will (no thread is left to run it): exits, or bench would wait for
/// ever.
fn wake_wait() -> Started {
    let guard = STARTED.lock().unwrap();
    let (mut guard, waited) =
        POSTED.wait_timeout_while(guard, Duration::from_secs(10), |s| s.is_none()).unwrap();
    if waited.timed_out() {
        eprintln!("peer: the wake-up task did not run within 10 s");
        process::exit(1);
    }
    guard.take().unwrap()
}

/// The wake-up test's figures, as peer_main.c prints them.
fn wake_test<R: Runtime>(rt: &R, count: usize) -> String {
    let submitter = thread::current().id();
    let mut lat = Vec::with_capacity(count);
    let (mut cpu0, mut gap_cpu, mut gap_wall, mut on_caller) = (0, 0, 0, 0u64);
    for round in 0..WAKE_WARMUP + count {
        // the quiet gap, and the submit time
        if round == WAKE_WARMUP {
            cpu0 = cpu_ns();
        }
        let (g0, c0) = (Instant::now(), cpu_ns());
        thread::sleep(WAKE_GAP);
        let (c1, g1) = (cpu_ns(), Instant::now());
        if round >= WAKE_WARMUP {
            gap_cpu += c1 - c0;
            gap_wall += ns(g1 - g0);
        }
        let t0 = Instant::now();
        rt.submit(Box::new(move || wake_task(submitter)));
        let started = wake_wait();
        if round >= WAKE_WARMUP {
            lat.push(ns(started.at.saturating_duration_since(t0)));
            on_caller += u64::from(started.on_caller);
        }
    }
    let cpu = cpu_ns() - cpu0;
    lat.sort_unstable();
    format!(
        "{} {} {} {} {} {}",
        lat[count / 2],
        lat[count * 99 / 100],
        lat[count - 1],
        cpu / count as u64,
        (gap_cpu as f64 / 1e3 / (gap_wall as f64 / 1e9)) as u64,
        on_caller
    )
}

// ---- main ----

fn usage() -> ExitCode {
    eprintln!(
        "usage: peer flat|spawn_inside|tree|fib|imbalanced THREADS SIZE\n       \
         peer idle THREADS MS | peer wake THREADS COUNT\n       \
         peer nqueens THREADS N CUTOFF | peer sort THREADS COUNT GRAIN | \
         peer reduce THREADS COUNT GRAIN"
    );
    ExitCode::from(2)
}

/// A wrong answer: says why, exits 1 (a peer that fails would make bench's
/// table a lie).
fn fail(why: &str) -> ExitCode {
    eprintln!("peer: {why}");
    ExitCode::from(1)
}

fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_serial(n - 1) + fib_serial(n - 2)
    }
}

/// peer nqueens|sort|reduce THREADS SIZE GRAIN, as peer_main.c's
/// program(): the input and the answer, untimed; a warm-up run and a timed
/// run, both checked; the timed run's ns printed.  (The check is not timed.)
fn real_program<R: Runtime>(rt: &R, what: &str, size: u64, grain: u64) -> ExitCode {
    let (nqueens, sort) = (what == "nqueens", what == "sort");
    let bad = if nqueens { size > u64::from(programs::NQ_MAX) } else { sort && grain == 0 };
    if bad {
        return usage();
    }
    let (n, grain_keys) = (size as usize, grain as usize);
    let seed = if sort { programs::SORT_SEED } else { programs::REDUCE_SEED };
    let keys = if nqueens { Vec::new() } else { programs::keys(n, seed) };
    let want = match what {
        "nqueens" => programs::nq_expected(size as u32),
        "sort" => programs::fingerprint(&keys),
        _ => programs::reduce_expected(&keys),
    };
    let (mut a, mut tmp) = if sort { (keys.clone(), vec![0; n]) } else { (Vec::new(), Vec::new()) };
    let mut t = 0;
    for _ in 0..2 {
        // a warm-up, then the timed run
        if sort {
            a.copy_from_slice(&keys);
        }
        let t0 = Instant::now();
        let got = match what {
            "nqueens" => rt.nqueens(size as u32, grain as u32),
            "sort" => {
                rt.sort(&mut a, &mut tmp, grain_keys);
                want // the check is sort_check's
            }
            _ => rt.reduce(&keys, grain_keys),
        };
        t = ns(t0.elapsed());
        if sort {
            if let Err(why) = programs::sort_check(&a, want) {
                return fail(&why);
            }
        }
        if got != want {
            return fail(&format!("{what} {size}: {got}, not {want}"));
        }
    }
    println!("{t}");
    ExitCode::SUCCESS
}

/// The whole program: peer.h's protocol, on runtime R.
pub fn main<R: Runtime>() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    // strtoul's way: what does not parse is 0, which usage() turns down
    let num = |i: usize| args.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let program = matches!(args.first().map(String::as_str), Some("nqueens" | "sort" | "reduce"));
    if args.len() != 3 + usize::from(program) {
        return usage();
    }
    let (what, threads, size) = (args[0].as_str(), num(1), num(2));
    if threads == 0 || threads > MAX_THREADS as u64 || size == 0 {
        return usage();
    }
    let rt = match R::new(threads as usize, what == "wake") {
        Some(rt) => rt,
        None => return fail(&format!("cannot start {threads} threads")),
    };
    if program {
        // GRAIN (CUTOFF) may be 0, but must be a number
        return match args[3].parse::<u64>() {
            Ok(grain) => real_program(&rt, what, size, grain),
            Err(_) => usage(),
        };
    }

    let out = match what {
        "idle" => {
            // size: milliseconds
            rt.run(Workload::Flat, 1000);
            thread::sleep(Duration::from_millis(20)); // as bench does: let the threads run dry
            let (c0, t0) = (cpu_ns(), Instant::now());
            thread::sleep(Duration::from_millis(size));
            let (c1, t1) = (cpu_ns(), Instant::now());
            // ms of CPU per second idle, in tenths (an integer, for bench)
            let tenths = (c1 - c0) as f64 / 1e6 / ((t1 - t0).as_secs_f64()) * 10.0;
            format!("{tenths:.0}")
        }
        "wake" => {
            rt.run(Workload::Flat, 1000);
            wake_test(&rt, size as usize)
        }
        _ => {
            let w = match what {
                "flat" => Workload::Flat,
                "spawn_inside" => Workload::SpawnInside,
                "tree" => Workload::Tree,
                "fib" => Workload::Fib,
                "imbalanced" => Workload::Imbalanced,
                _ => return usage(),
            };
            if w == Workload::Tree && size > 62 {
                return usage(); // 2^(depth+1) - 1 tasks must fit
            }
            let want = if w == Workload::Tree { (2u64 << size) - 1 } else { size };
            rt.run(w, size); // the warm-up
            reset();
            let t0 = Instant::now();
            let fib = rt.run(w, size);
            let t = ns(t0.elapsed());
            if w == Workload::Fib {
                let right = fib_serial(size);
                if fib != right {
                    return fail(&format!("fib({size}) = {fib}, not {right}"));
                }
            } else if total() != want {
                return fail(&format!("{what} ran {} of {want} tasks", total()));
            }
            t.to_string()
        }
    };
    println!("{out}");
    ExitCode::SUCCESS
}
