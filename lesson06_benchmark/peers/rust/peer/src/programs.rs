//! programs: the real programs' code that is the same on every runtime, a
//! port of lesson06_benchmark/programs.c (each definition is written out in
//! programs.h): the keys, f, the serial N-queens count, the serial
//! merge sort, the answers and the checks.  Same constants, same algorithm,
//! same order of operations; the runtimes' files hold only the parallel part.
//! All arithmetic is on unsigned integers and wraps (mod 2^32, 2^64).

/// sort's seed, and reduce's.
pub const SORT_SEED: u64 = 1;
pub const REDUCE_SEED: u64 = 2;
/// sort: below this many keys, insertion sort.
pub const INSERTION: usize = 32;
/// reduce: rounds of mixing in f.
pub const F_ROUNDS: u32 = 6;
/// The largest N the N-queens answer table has.
pub const NQ_MAX: u32 = 18;

// ---- keys ----

/// The next splitmix64 output (Steele, Lea, Flood, OOPSLA 2014); advances
/// *state.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e3779b97f4a7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

/// The n keys from seed `seed`: key i is the top 32 bits of output i + 1.
pub fn keys(n: usize, seed: u64) -> Vec<u32> {
    let mut s = seed;
    (0..n).map(|_| (splitmix64(&mut s) >> 32) as u32).collect()
}

/// One round of splitmix64's mixing, a bijection on u64: f's round, and
/// the fingerprint's.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// The sort check's fingerprint of a (programs.h, SORT): the sum mod 2^64
/// of mix(key), the same for any order of the same keys.  A plain sum
/// misses any change that moves as much up as down ([3, 5] sorted to
/// [4, 4]), while after a bijective mixer a changed multiset keeps the sum
/// with a chance near 2^-64.
pub fn fingerprint(a: &[u32]) -> u64 {
    a.iter().fold(0u64, |s, &k| s.wrapping_add(mix(k.into())))
}

// ---- nqueens ----

/// A board, queens placed a row at a time, in row `depth`: bit c of cols is
/// set when column c is taken, of d1 (d2) when the diagonal going down-left
/// (down-right) through column c of this row is.
#[derive(Clone, Copy, Default)]
pub struct Board {
    pub cols: u32,
    pub d1: u32,
    pub d2: u32,
    pub depth: u32,
}

fn all(n: u32) -> u32 {
    if n >= 32 {
        u32::MAX
    } else {
        (1 << n) - 1
    }
}

impl Board {
    /// The free columns of the next row, as bits, on an n x n board.
    pub fn free(&self, n: u32) -> u32 {
        all(n) & !(self.cols | self.d1 | self.d2)
    }

    /// The board with a queen placed at `bit` (one of free()'s).
    pub fn place(&self, bit: u32) -> Board {
        Board {
            cols: self.cols | bit,
            d1: (self.d1 | bit) << 1,
            d2: (self.d2 | bit) >> 1,
            depth: self.depth + 1,
        }
    }

    /// The solutions below this board, counted serially.
    pub fn count(&self, n: u32) -> u64 {
        count(all(n), self.cols, self.d1, self.d2)
    }
}

/// The serial count, on three masks (programs.c's hot loop): 1 when every
/// column is taken, else the sum over the free bits, lowest first.
fn count(all: u32, cols: u32, d1: u32, d2: u32) -> u64 {
    if cols == all {
        return 1;
    }
    let mut sum = 0;
    let mut free = all & !(cols | d1 | d2);
    while free != 0 {
        let bit = free & free.wrapping_neg(); // the lowest free column
        free ^= bit;
        sum += count(all, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    sum
}

/// The lower half (by count) of the set bits of `bits`, for runtimes that
/// fork a board's placements by a binary split with join.
pub fn lower_half(bits: u32) -> u32 {
    let mut lower = 0;
    let mut rest = bits;
    for _ in 0..bits.count_ones() / 2 {
        let bit = rest & rest.wrapping_neg();
        lower |= bit;
        rest ^= bit;
    }
    lower
}

/// OEIS A000170's a(n) for 1 <= n <= 18; 0 otherwise.
pub fn nq_expected(n: u32) -> u64 {
    const ANSWERS: [u64; NQ_MAX as usize + 1] = [
        0, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596, 2279184, 14772512,
        95815104, 666090624,
    ];
    ANSWERS.get(n as usize).copied().unwrap_or(0)
}

// ---- sort ----

/// For i in 1..n, moves a[i] left past every greater key.
pub fn insertion_sort(a: &mut [u32]) {
    for i in 1..a.len() {
        let key = a[i];
        let mut j = i;
        while j > 0 && a[j - 1] > key {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = key;
    }
}

/// Merges the sorted a[..m] and a[m..] into a, with tmp[..m]: the left run
/// moves to tmp; the output, written front to back, never overtakes the
/// right run's next unread key, so the right run stays where it is.
pub fn merge(a: &mut [u32], m: usize, tmp: &mut [u32]) {
    let n = a.len();
    tmp[..m].copy_from_slice(&a[..m]);
    let (mut i, mut j, mut out) = (0, m, 0);
    while i < m && j < n {
        if tmp[i] <= a[j] {
            a[out] = tmp[i];
            i += 1;
        } else {
            a[out] = a[j];
            j += 1;
        }
        out += 1;
    }
    a[out..out + (m - i)].copy_from_slice(&tmp[i..m]);
    // what is left of a[j..] is in place already
}

/// The serial merge sort of a, with tmp (as long).
pub fn sort(a: &mut [u32], tmp: &mut [u32]) {
    let n = a.len();
    if n < INSERTION {
        insertion_sort(a);
        return;
    }
    let m = n / 2;
    let (al, ar) = a.split_at_mut(m);
    let (tl, tr) = tmp.split_at_mut(m);
    sort(al, tl);
    sort(ar, tr);
    merge(a, m, tmp);
}

/// Whether the parallel sort splits a piece of n keys.
pub fn sort_splits(n: usize, grain: usize) -> bool {
    n > grain && n >= INSERTION
}

/// Ok if a is ascending and its fingerprint is input_fingerprint (its count
/// is the input's by construction); else why not.
pub fn sort_check(a: &[u32], input_fingerprint: u64) -> Result<(), String> {
    if let Some(i) = (1..a.len()).find(|&i| a[i - 1] > a[i]) {
        return Err(format!("sort: out of order at {i}: {} before {}", a[i - 1], a[i]));
    }
    let got = fingerprint(a);
    if got != input_fingerprint {
        return Err(format!(
            "sort: the output's {} keys have fingerprint {got}, the input's {input_fingerprint}",
            a.len()
        ));
    }
    Ok(())
}

// ---- reduce ----

/// F_ROUNDS rounds of splitmix64's mixing on v.
pub fn f(v: u32) -> u64 {
    let mut x = u64::from(v);
    for _ in 0..F_ROUNDS {
        x = mix(x);
    }
    x
}

/// The sum mod 2^64 of f(a[i]) over [lo, hi), in index order.
pub fn reduce_range(a: &[u32], lo: usize, hi: usize) -> u64 {
    a[lo..hi].iter().fold(0u64, |s, &k| s.wrapping_add(f(k)))
}

/// Whether a piece of len keys splits (programs.h, REDUCE): by its grain, or
/// for grain 0 as rayon's Splitter; *splits is the piece's, and becomes its
/// halves' when it splits.  stolen: whether it runs on another thread than
/// the one that split it off.
pub fn reduce_splits(
    len: usize,
    grain: usize,
    stolen: bool,
    threads: u32,
    splits: &mut u32,
) -> bool {
    if grain > 0 {
        return len > grain;
    }
    if len < 2 {
        return false;
    }
    if stolen {
        *splits = (*splits / 2).max(threads);
        return true;
    }
    if *splits > 0 {
        *splits /= 2;
        return true;
    }
    false
}

/// The answer for reduce over a (reduce's first a.len() keys): from
/// programs.c's table when it has the size, else computed serially.
pub fn reduce_expected(a: &[u32]) -> u64 {
    const ANSWERS: [(usize, u64); 3] =
        [(5000, 0xd90d2797f2415740), (1000000, 0x396d68b19346a7d8), (10000000, 0xb60768e7c091a4b7)];
    match ANSWERS.iter().find(|&&(n, _)| n == a.len()) {
        Some(&(_, sum)) => sum,
        None => reduce_range(a, 0, a.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_programs_c() {
        // seed 1's first three keys, as programs.h gives them
        assert_eq!(keys(3, SORT_SEED), [0x910a2dec, 0xbeeb8da1, 0xf893a2ee]);
    }

    #[test]
    fn fingerprint_matches_programs_c() {
        // programs.c's prog_fingerprint() of keys 0, 1 and 0xffffffff alone, of
        // seed 1's first three keys, and (programs.h) of its first 10,000,000
        assert_eq!(fingerprint(&[0]), 0xe220a8397b1dcdaf);
        assert_eq!(fingerprint(&[1]), 0x910a2dec89025cc1);
        assert_eq!(fingerprint(&[0xffffffff]), 0x73b13ba2aff181c0);
        assert_eq!(fingerprint(&keys(3, SORT_SEED)), 0x31a33f52da0db4c2);
        assert_eq!(fingerprint(&keys(10_000_000, SORT_SEED)), 0x855b2db90952753a);
    }

    #[test]
    fn f_matches_programs_c() {
        // the table's sums are programs.c's f over reduce's keys
        for n in [5000, 1000000] {
            let a = keys(n, REDUCE_SEED);
            assert_eq!(reduce_range(&a, 0, n), reduce_expected(&a), "n = {n}");
        }
    }

    #[test]
    fn nqueens_serial_counts_oeis() {
        for n in 1..=10 {
            assert_eq!(Board::default().count(n), nq_expected(n), "n = {n}");
        }
    }

    #[test]
    fn sort_sorts_and_keeps_the_fingerprint() {
        for n in [0, 1, 31, 32, 33, 1000, 4097] {
            let keys = keys(n, SORT_SEED);
            let (mut a, mut tmp) = (keys.clone(), vec![0; n]);
            sort(&mut a, &mut tmp);
            let mut want = keys.clone();
            want.sort_unstable();
            assert_eq!(a, want);
            assert!(sort_check(&a, fingerprint(&keys)).is_ok());
        }
    }

    #[test]
    fn sort_check_catches_a_key_up_and_one_down() {
        // in order, same count and sum: what a plain sum of the keys would pass
        assert!(sort_check(&[4, 4], fingerprint(&[3, 5])).is_err());
        assert!(sort_check(&[3, 5], fingerprint(&[3, 5])).is_ok());
    }

    #[test]
    fn lower_half_splits_by_count() {
        assert_eq!(lower_half(0b1011_0110), 0b0000_0110);
        assert_eq!(lower_half(0b1), 0);
        assert_eq!(lower_half(0b111), 0b1);
    }
}
