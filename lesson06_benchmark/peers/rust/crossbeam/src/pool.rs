//! pool: a small work-stealing pool on crossbeam-deque (Debian:
//! librust-crossbeam-deque-dev), written as the crate's documentation shows:
//! a `Worker` deque per thread (LIFO for its owner, as a Chase-Lev deque: the
//! owner pushes and pops at one end, thieves steal at the other), its
//! `Stealer` shared with the others, one `Injector` for work from outside the
//! pool, and the docs' `find_task` loop, copied unchanged.  What a program
//! built on crossbeam-deque adds around it is what this file adds:
//!
//! - spawn: from inside a task (`Ctx::spawn`) onto the running worker's own
//!   deque; from outside (`Pool::spawn`) into the Injector.
//! - wait: a pending counter of the spawned tasks not yet finished; the
//!   thread outside blocks on a Mutex and Condvar until it reaches 0.
//! - join (`Ctx::join`): b pushed onto the worker's own deque, a run inline,
//!   then, until b is done, the worker helps: it runs whatever find_task
//!   gives it (b itself, popped back, in the common case), and yields when
//!   there is nothing.  So fib and the real programs run as with rayon::join.
//! - parking: a worker that finds nothing 32 times in a row (yielding its CPU
//!   between looks, as rayon's workers do) sleeps on a Condvar; a push wakes
//!   one sleeper (Sleep, below, argues why no task is left behind).
//!
//! The one unsafe operation is `erase`, which lets a job borrow its caller's
//! stack (join's b, run's root), as rayon-core's StackJob does: see there.
//! Without it a join could share nothing but 'static data, and the sort
//! would have to copy its halves.

use crossbeam_deque::{Injector, Stealer, Worker};
use std::iter;
use std::mem;
use std::process;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering::*};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};

/// A task: run once, on some worker, with that worker's context.
type Job = Box<dyn FnOnce(&Ctx<'_>) + Send>;

/// What a running task sees of its worker: where to spawn, whom to help.
pub struct Ctx<'a> {
    shared: &'a Shared,
    local: &'a Worker<Job>,
    index: usize,
}

/// The pool: THREADS worker threads; dropping it stops and joins them.
pub struct Pool {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

struct Shared {
    injector: Injector<Job>,
    stealers: Vec<Stealer<Job>>,
    sleep: Sleep,
    /// Spawned tasks not yet finished (Ctx::spawn, Pool::spawn, Pool::run's
    /// root; join's b is waited for by its join instead).
    pending: AtomicUsize,
    /// Pool::wait sleeps on `finished` under `wait_lock` until pending is 0.
    wait_lock: Mutex<()>,
    finished: Condvar,
}

/// crossbeam-deque's documentation's find_task, unchanged: the worker's own
/// deque first, then a batch from the Injector, then one task from another
/// worker, retrying while a steal says Retry.
fn find_task<T>(local: &Worker<T>, global: &Injector<T>, stealers: &[Stealer<T>]) -> Option<T> {
    // Pop a task from the local queue, if not empty.
    local.pop().or_else(|| {
        // Otherwise, we need to look for a task elsewhere.
        iter::repeat_with(|| {
            // Try stealing a batch of tasks from the global queue.
            global
                .steal_batch_and_pop(local)
                // Or try stealing a task from one of the other threads.
                .or_else(|| stealers.iter().map(|s| s.steal()).collect())
        })
        // Loop while no task was stolen and any steal operation needs to be retried.
        .find(|s| !s.is_retry())
        // Extract the stolen task, if there is one.
        .and_then(|s| s.success())
    })
}

/// Makes a job that borrows from its caller's frame look 'static, so that
/// it can go into a deque.
///
/// # Safety
/// Until the job has made its last access to what it borrows, the caller
/// must not return, nor unwind, nor touch what the job borrows mutably (its
/// result slot): the borrow checker no longer sees the borrows.  Both
/// callers block until the job says so with a release store that their
/// acquire load reads (join: b's `done`; run: `pending` at 0), and abort
/// rather than unwind (NoUnwind).
unsafe fn erase<'a>(job: Box<dyn FnOnce(&Ctx<'_>) + Send + 'a>) -> Job {
    // SAFETY: only the lifetime changes (the layout of a boxed trait object
    // does not depend on it); the caller keeps the borrows alive.
    unsafe { mem::transmute(job) }
}

/// Aborts the process if dropped while unwinding: in a frame whose borrows
/// an erased job may still use, a panic must not unwind (Cargo.toml's
/// panic = "abort" already says so for the release build; this holds in
/// every build).
struct NoUnwind;

impl Drop for NoUnwind {
    fn drop(&mut self) {
        if thread::panicking() {
            process::abort();
        }
    }
}

impl Shared {
    /// A spawned task has finished: the last one wakes Pool::wait.
    fn task_done(&self) {
        // release: the task's writes before the count; pairs with wait()'s
        // acquire load (earlier decrements join the release sequence)
        if self.pending.fetch_sub(1, Release) == 1 {
            // under the lock, so that wait() cannot check and then miss this
            let _guard = self.wait_lock.lock().unwrap();
            self.finished.notify_all();
        }
    }
}

impl Ctx<'_> {
    /// This worker's index, 0 .. THREADS-1.
    pub fn index(&self) -> usize {
        self.index
    }

    fn find_task(&self) -> Option<Job> {
        find_task(self.local, &self.shared.injector, &self.shared.stealers)
    }

    /// Spawns f onto this worker's own deque; Pool::wait waits for it.
    pub fn spawn(&self, f: impl FnOnce(&Ctx<'_>) + Send + 'static) {
        // relaxed: a task's increments precede its own decrement in its
        // thread's order, so pending cannot reach 0 while a child is unrun
        self.shared.pending.fetch_add(1, Relaxed);
        self.local.push(Box::new(move |ctx: &Ctx<'_>| {
            f(ctx);
            ctx.shared.task_done();
        }));
        self.shared.sleep.notify_local();
    }

    /// Runs a and b, b perhaps on another worker, and returns both results.
    /// b goes onto this worker's deque; a runs here; then this worker runs
    /// tasks (find_task: b itself when no one stole it) until b is done.
    pub fn join<RA, RB>(
        &self,
        a: impl FnOnce(&Ctx<'_>) -> RA,
        b: impl FnOnce(&Ctx<'_>) -> RB + Send,
    ) -> (RA, RB)
    where
        RB: Send,
    {
        let guard = NoUnwind;
        let done = AtomicBool::new(false);
        let mut result = None;
        let job_b = Box::new(|ctx: &Ctx<'_>| {
            result = Some(b(ctx));
            // release: the result before `done`; pairs with the acquire
            // load below.  The job's last access to this frame.
            done.store(true, Release);
        });
        // SAFETY: this frame outlives job_b's use of it, and `result` is
        // read only after it: the loop below ends only once `done` is set,
        // and `guard` aborts on unwinding.
        self.local.push(unsafe { erase(job_b) });
        self.shared.sleep.notify_local();
        let ra = a(self);
        while !done.load(Acquire) {
            match self.find_task() {
                Some(job) => job(self),
                None => thread::yield_now(), // b runs elsewhere: help later
            }
        }
        mem::forget(guard);
        (ra, result.expect("b has run"))
    }
}

impl Pool {
    /// Starts `threads` workers; None if a thread cannot be started (those
    /// that were are stopped).
    pub fn new(threads: usize) -> Option<Pool> {
        let workers: Vec<Worker<Job>> = (0..threads).map(|_| Worker::new_lifo()).collect();
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers: workers.iter().map(Worker::stealer).collect(),
            sleep: Sleep::default(),
            pending: AtomicUsize::new(0),
            wait_lock: Mutex::new(()),
            finished: Condvar::new(),
        });
        let mut pool = Pool { shared, threads: Vec::with_capacity(threads) };
        for (index, local) in workers.into_iter().enumerate() {
            let shared = Arc::clone(&pool.shared);
            let worker = thread::Builder::new()
                .name(format!("crossbeam-{index}"))
                .spawn(move || work(&shared, local, index))
                .ok()?; // drops pool, which stops the ones started
            pool.threads.push(worker);
        }
        Some(pool)
    }

    /// Spawns f from outside the pool, into the Injector.
    pub fn spawn(&self, f: impl FnOnce(&Ctx<'_>) + Send + 'static) {
        // relaxed: counted before the push that hands the task over (the
        // Injector's own release/acquire), so the task's decrement follows it
        self.shared.pending.fetch_add(1, Relaxed);
        self.shared.injector.push(Box::new(move |ctx: &Ctx<'_>| {
            f(ctx);
            ctx.shared.task_done();
        }));
        self.shared.sleep.notify_injected();
    }

    /// Blocks until every spawned task has run.
    pub fn wait(&self) {
        let mut guard = self.shared.wait_lock.lock().unwrap();
        // acquire: every finished task's writes; pairs with task_done()
        while self.shared.pending.load(Acquire) != 0 {
            guard = self.shared.finished.wait(guard).unwrap();
        }
    }

    /// Runs f on a worker, as the root of a computation (it may borrow from
    /// the caller), waits for every task it spawns, and returns its result.
    pub fn run<R: Send>(&self, f: impl FnOnce(&Ctx<'_>) -> R + Send) -> R {
        let guard = NoUnwind;
        let mut result = None;
        let root = Box::new(|ctx: &Ctx<'_>| {
            result = Some(f(ctx));
            ctx.shared.task_done(); // after the last access to this frame
        });
        // relaxed: as in spawn, counted before the push that hands root over
        self.shared.pending.fetch_add(1, Relaxed);
        // SAFETY: this frame outlives root's use of it, and `result` is read
        // only after it: wait() returns only once pending is 0, after
        // root's task_done() (whose release decrement its acquire load
        // reads), and `guard` aborts on unwinding.
        self.shared.injector.push(unsafe { erase(root) });
        self.shared.sleep.notify_injected();
        self.wait();
        mem::forget(guard);
        result.expect("the root has run")
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.sleep.stop();
        for worker in self.threads.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Looks this many times in a row, yielding between looks, before sleeping.
const LOOKS_BEFORE_SLEEP: u32 = 32;

/// A worker's loop: run what find_task finds; when it finds nothing
/// LOOKS_BEFORE_SLEEP times, sleep until a push wakes it; return at stop.
fn work(shared: &Shared, local: Worker<Job>, index: usize) {
    let ctx = Ctx { shared, local: &local, index };
    let mut misses = 0;
    loop {
        if let Some(job) = ctx.find_task() {
            job(&ctx);
            misses = 0;
        } else if misses < LOOKS_BEFORE_SLEEP {
            misses += 1;
            thread::yield_now();
        } else {
            misses = 0;
            match shared.sleep.sleep(|| ctx.find_task()) {
                Idle::Found(job) => job(&ctx),
                Idle::Woken => {}
                Idle::Stop => return,
            }
        }
    }
}

/// Parking idle workers: a Mutex and a Condvar, and `sleepers`, the number
/// of workers asleep and not yet woken, which every push reads without the
/// lock, so that a push while no one sleeps costs a load (and, from
/// outside the pool, a fence).
///
/// No lost wake-up: a push into the Injector is followed by a SeqCst fence
/// and a load of sleepers (notify_injected); a worker going to sleep
/// increments sleepers, then a SeqCst fence, then looks once more for work
/// (sleep).  The two fences are ordered one way or the other: if the
/// pusher's comes first, the worker's last look sees the task; if the
/// worker's comes first, the pusher's load sees the worker counted, and
/// wakes it, or another sleeper, which will look again.  A push onto a
/// worker's own deque needs no such care (notify_local says why).
/// sleepers changes only under the lock, so wake_one's second look under
/// the lock is exact, and the worker cannot miss the notify_one: it holds
/// the lock from its increment until Condvar::wait releases it.
#[derive(Default)]
struct Sleep {
    state: Mutex<SleepState>,
    wake: Condvar,
    sleepers: AtomicUsize,
}

#[derive(Default)]
struct SleepState {
    wakeups: usize, // given by wake_one, not yet taken by a sleeper
    stop: bool,
}

enum Idle {
    Found(Job),
    Woken,
    Stop,
}

impl Sleep {
    /// After a push onto a worker's own deque: wakes one sleeper, if there
    /// is one.  No fence here (rayon-core does the same): if the load of
    /// sleepers is ordered before the push, a worker falling asleep now may
    /// be missed, and its last look miss the task, but the pushing worker
    /// runs the task itself when no one takes it: late, never lost.
    fn notify_local(&self) {
        if self.sleepers.load(Relaxed) > 0 {
            self.wake_one();
        }
    }

    /// After a push into the Injector, from a thread that runs no tasks, so
    /// a missed wake-up could leave the task there for ever.
    fn notify_injected(&self) {
        // SeqCst fence: the push before the load of sleepers; pairs with
        // the fence in sleep()
        fence(SeqCst);
        if self.sleepers.load(Relaxed) > 0 {
            self.wake_one();
        }
    }

    #[cold]
    fn wake_one(&self) {
        let mut state = self.state.lock().unwrap();
        // sleepers changes only under the lock: this second look is exact
        if self.sleepers.load(Relaxed) > 0 {
            self.sleepers.fetch_sub(1, Relaxed);
            state.wakeups += 1;
            self.wake.notify_one();
        }
    }

    /// Sleeps until wake_one or stop, unless `look` (the last look) finds a
    /// task first.
    fn sleep(&self, look: impl Fn() -> Option<Job>) -> Idle {
        let mut state = self.state.lock().unwrap();
        if state.stop {
            return Idle::Stop;
        }
        self.sleepers.fetch_add(1, Relaxed);
        // SeqCst fence: the increment before the last look; pairs with the
        // fence in notify_injected()
        fence(SeqCst);
        if let Some(job) = look() {
            self.sleepers.fetch_sub(1, Relaxed);
            return Idle::Found(job);
        }
        loop {
            state = self.wake.wait(state).unwrap();
            if state.wakeups > 0 {
                state.wakeups -= 1; // wake_one took us off sleepers
                return Idle::Woken;
            }
            if state.stop {
                self.sleepers.fetch_sub(1, Relaxed);
                return Idle::Stop;
            }
            // a spurious wake-up: sleep on
        }
    }

    /// Wakes every worker for good (Pool's drop).
    fn stop(&self) {
        self.state.lock().unwrap().stop = true;
        self.wake.notify_all();
    }
}
