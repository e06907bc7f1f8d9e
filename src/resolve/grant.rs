//! Sets of servers as sorted index lists: what a level grants, and how grants combine.

/// What one level grants: every server (the team sentinel) or a sorted set of indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Grant {
    All,
    Some(Vec<u32>),
}

impl Grant {
    pub(crate) fn contains(&self, index: u32) -> bool {
        match self {
            Grant::All => true,
            Grant::Some(v) => v.binary_search(&index).is_ok(),
        }
    }

    pub(crate) fn intersect(self, other: &Grant) -> Grant {
        match (self, other) {
            (a, Grant::All) => a,
            (Grant::All, b) => b.clone(),
            (Grant::Some(mut a), Grant::Some(b)) => {
                retain_sorted(&mut a, b);
                Grant::Some(a)
            }
        }
    }
}

/// Keeps the elements of sorted `a` that are in sorted `b`.
pub(crate) fn retain_sorted(a: &mut Vec<u32>, b: &[u32]) {
    let mut j = 0;
    a.retain(|x| {
        while b.get(j).is_some_and(|y| y < x) {
            j += 1;
        }
        b.get(j) == Some(x)
    });
}

pub(crate) fn sort_dedup(v: &mut Vec<u32>) {
    if v.len() < RADIX_MIN {
        v.sort_unstable();
    } else {
        radix_sort(v);
    }
    v.dedup();
}

/// From this length on, server indices are radix-sorted: a permission with hundreds of
/// references grants lists that a comparison sort spends most of the resolve on.
const RADIX_MIN: usize = 256;

/// Sorts `v` by least-significant-digit radix sort on bytes: a pass per byte of the
/// largest index (three for a registry under 16M servers), each linear in `v`'s length.
fn radix_sort(v: &mut Vec<u32>) {
    let max = v.iter().copied().max().unwrap_or(0);
    let mut to: Vec<u32> = Vec::with_capacity(v.capacity());
    to.resize(v.len(), 0);
    let mut shift = 0;
    while shift < u32::BITS && max >> shift != 0 {
        let digit = |x: u32| ((x >> shift) & 0xff) as usize;
        let mut offsets = [0usize; 256];
        for &x in v.iter() {
            if let Some(count) = offsets.get_mut(digit(x)) {
                *count += 1;
            }
        }
        let mut total = 0;
        for offset in &mut offsets {
            let count = *offset;
            *offset = total;
            total += count;
        }
        for &x in v.iter() {
            if let Some(offset) = offsets.get_mut(digit(x)) {
                if let Some(slot) = to.get_mut(*offset) {
                    *slot = x;
                }
                *offset += 1;
            }
        }
        std::mem::swap(v, &mut to);
        shift += 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for (len, bound) in [(0, 1), (1, 1), (300, 1), (300, 70_000), (2_000, 1 << 31)] {
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    u32::try_from(seed % bound).unwrap()
                })
                .collect();
            let mut expect = v.clone();
            expect.sort_unstable();
            radix_sort(&mut v);
            assert_eq!(v, expect, "{len} below {bound}");
        }
        let mut max = vec![u32::MAX, 0, u32::MAX - 1];
        radix_sort(&mut max);
        assert_eq!(max, [0, u32::MAX - 1, u32::MAX]);
    }

    #[test]
    fn retain_sorted_intersects() {
        let mut a = vec![1, 3, 5, 7, 9];
        retain_sorted(&mut a, &[0, 3, 4, 9, 10]);
        assert_eq!(a, [3, 9]);
        let mut b = vec![1, 2];
        retain_sorted(&mut b, &[]);
        assert!(b.is_empty());
    }

    #[test]
    fn grants_intersect_with_all_as_identity() {
        let some = Grant::Some(vec![1, 2]);
        assert_eq!(some.clone().intersect(&Grant::All), some);
        assert_eq!(Grant::All.intersect(&some), some);
        assert_eq!(
            Grant::Some(vec![1, 2]).intersect(&Grant::Some(vec![2, 3])),
            Grant::Some(vec![2])
        );
    }
}
