"""The Merkle tree of the sealed access log, as in Certificate Transparency (RFC 9162 §2.1).

Pure functions over bytes, no database: the sealer and the verifier feed leaves in order, a data
subject's inclusion proof is checked with `verify_inclusion` alone.

- leaf hash  = SHA-256(0x00 || leaf data)           (the leaf data: a row's canonical content)
- node hash  = SHA-256(0x01 || left || right)
- the tree head of n leaves, MTH(D[n]), splits at the largest power of two below n (§2.1.1).

A growing tree is kept as its *frontier*: the roots of its perfect subtrees from left to right (one
per 1-bit of n, largest first). Appending a leaf merges equal-sized subtrees, as in binary counting;
the root is the frontier folded from the right. This gives exactly MTH (RFC 9162 §2.1.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _sizes(n: int) -> list[int]:
    """The sizes of the perfect subtrees of a tree of n leaves, largest first."""
    return [1 << bit for bit in range(n.bit_length() - 1, -1, -1) if n >> bit & 1]


class Frontier:
    """The right edge of a tree under construction: append leaves, read the root at any size."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        if len(hashes) != len(_sizes(size)):
            raise ValueError("De rand van de boom past niet bij het aantal bladeren.")
        self.size = size
        self._hashes = list(hashes)

    @classmethod
    def from_hex(cls, size: int, hashes: Iterable[str]) -> Frontier:
        return cls(size, [bytes.fromhex(h) for h in hashes])

    def hex(self) -> list[str]:
        return [h.hex() for h in self._hashes]

    def append_leaf_hash(self, leaf: bytes) -> None:
        node, size = leaf, self.size
        # The lowest 1-bits of the old size are subtrees of 1, 2, 4 … leaves that the new leaf completes.
        while size & 1:
            node = node_hash(self._hashes.pop(), node)
            size >>= 1
        self._hashes.append(node)
        self.size += 1

    def append(self, data: bytes) -> None:
        self.append_leaf_hash(leaf_hash(data))

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        root = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            root = node_hash(left, root)
        return root


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, straight from the definition (used to check the frontier)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def inclusion_path(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` (0-based) in the tree of all `leaf_hashes` (RFC 9162 §2.1.3.1)."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise IndexError("Het blad valt buiten de boom.")
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return [*inclusion_path(leaf_hashes[:k], index), root_of(leaf_hashes[k:])]
    return [*inclusion_path(leaf_hashes[k:], index - k), root_of(leaf_hashes[:k])]


def verify_inclusion(leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `path` prove that `leaf` (a leaf hash) is leaf `index` of the tree of
    `tree_size` leaves with this `root`?"""
    if not 0 <= index < tree_size:
        return False
    fn, sn, node = index, tree_size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root
