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
}

/// The servers in every grant of a list: the fold's bound, kept as the grants it
/// intersects, borrowed, so that combining levels copies no grant. The intersection is
/// walked once, when the answer is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meet<'g> {
    /// The grants that bound, each sorted; `Grant::All` bounds nothing and is left out.
    grants: [&'g [u32]; MEET_MAX],
    len: usize,
    /// Whether a step emptied the result.
    empty: bool,
}

/// At most one grant per level bounds the result.
const MEET_MAX: usize = crate::level::Level::COUNT;

impl<'g> Meet<'g> {
    /// Every server.
    pub(crate) fn all() -> Self {
        Self {
            grants: [&[]; MEET_MAX],
            len: 0,
            empty: false,
        }
    }

    /// No server.
    pub(crate) fn none() -> Self {
        Self {
            empty: true,
            ..Self::all()
        }
    }

    /// Exactly the servers of `grant`.
    pub(crate) fn of(grant: &'g Grant) -> Self {
        let mut meet = Self::all();
        meet.bound(grant);
        meet
    }

    /// The servers of this meet that `grant` also holds.
    pub(crate) fn bound(&mut self, grant: &'g Grant) {
        let Grant::Some(v) = grant else { return };
        // INVARIANT: every level bounds at most once between two resets, so there is room.
        if let Some(slot) = self.grants.get_mut(self.len) {
            *slot = v;
            self.len += 1;
        }
    }

    fn live(&self) -> &[&'g [u32]] {
        self.grants.get(..self.len).unwrap_or_default()
    }

    /// At least as many servers as the meet holds, in a registry of `servers`.
    pub(crate) fn upper_bound(&self, servers: u32) -> usize {
        if self.empty {
            0
        } else {
            self.live()
                .iter()
                .map(|g| g.len())
                .min()
                .unwrap_or(servers as usize)
        }
    }

    /// Calls `f` with every server of the meet, in ascending order, in a registry of
    /// `servers`: the shortest grant drives, the others are walked forward beside it.
    pub(crate) fn for_each(&self, servers: u32, mut f: impl FnMut(u32)) {
        if self.empty {
            return;
        }
        let live = self.live();
        let Some((at, &driver)) = live.iter().enumerate().min_by_key(|(_, g)| g.len()) else {
            (0..servers).for_each(f);
            return;
        };
        let mut others = [&[][..]; MEET_MAX];
        let mut n = 0;
        for (i, &g) in live.iter().enumerate() {
            if i != at {
                if let Some(slot) = others.get_mut(n) {
                    *slot = g;
                    n += 1;
                }
            }
        }
        let others = others.get_mut(..n).unwrap_or_default();
        'next: for &x in driver {
            for other in others.iter_mut() {
                while let Some((&y, rest)) = other.split_first() {
                    if y >= x {
                        break;
                    }
                    *other = rest;
                }
                if other.first() != Some(&x) {
                    if other.is_empty() {
                        return;
                    }
                    continue 'next;
                }
            }
            f(x);
        }
    }
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

    fn members(meet: &Meet<'_>, servers: u32) -> Vec<u32> {
        let mut out = Vec::new();
        meet.for_each(servers, |i| out.push(i));
        out
    }

    #[test]
    fn meets_intersect_with_all_as_identity() {
        let (a, b, all) = (
            Grant::Some(vec![1, 2, 5, 7]),
            Grant::Some(vec![0, 2, 3, 7, 9]),
            Grant::All,
        );
        assert_eq!(members(&Meet::all(), 3), [0, 1, 2]);
        assert_eq!(members(&Meet::none(), 3), [] as [u32; 0]);
        let mut meet = Meet::of(&all);
        assert_eq!(members(&meet, 4), [0, 1, 2, 3]);
        meet.bound(&a);
        assert_eq!(members(&meet, 10), [1, 2, 5, 7]);
        meet.bound(&b);
        assert_eq!(members(&meet, 10), [2, 7]);
        assert_eq!(meet.upper_bound(10), 4);
        let seven = Grant::Some(vec![7]);
        meet.bound(&seven);
        assert_eq!(members(&meet, 10), [7]);
        let mut disjoint = Meet::of(&a);
        let other = Grant::Some(vec![0, 3]);
        disjoint.bound(&other);
        assert_eq!(members(&disjoint, 10), [] as [u32; 0]);
    }
}
