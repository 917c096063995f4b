"""The Merkle tree of the sealed log against RFC 9162 §2.1 (pure functions, no database)."""

from __future__ import annotations

import hashlib

import pytest

from lvv.audit import merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"regel {i}".encode()) for i in range(n)]


def test_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()


def test_rfc_9162_split_for_three_and_seven_leaves():
    a, b, c, d, e, f, g = _leaves(7)
    h = merkle.node_hash
    assert merkle.root_of([a, b, c]) == h(h(a, b), c)
    assert merkle.root_of([a, b, c, d, e, f, g]) == h(h(h(a, b), h(c, d)), h(h(e, f), g))


@pytest.mark.parametrize("n", range(0, 70))
def test_the_frontier_gives_the_tree_head_at_every_size(n):
    leaves = _leaves(n)
    tree = merkle.Frontier()
    for leaf in leaves:
        tree.append_leaf_hash(leaf)
    assert tree.size == n
    assert tree.root() == merkle.root_of(leaves)
    # A frontier stored as hex and read back goes on the same way (as a seal hands it to the next).
    again = merkle.Frontier.from_hex(n, tree.hex())
    extra = merkle.leaf_hash(b"nog een")
    again.append_leaf_hash(extra)
    assert again.root() == merkle.root_of([*leaves, extra])


def test_a_frontier_that_does_not_fit_its_size_is_refused():
    with pytest.raises(ValueError):
        merkle.Frontier(3, [b"x" * 32])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 64])
def test_every_inclusion_path_verifies_and_only_for_its_own_leaf(n):
    leaves = _leaves(n)
    root = merkle.root_of(leaves)
    for index, leaf in enumerate(leaves):
        path = merkle.inclusion_path(leaves, index)
        assert merkle.verify_inclusion(leaf, index, n, path, root)
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"vervalst"), index, n, path, root)
        if n > 1:
            assert not merkle.verify_inclusion(leaf, (index + 1) % n, n, path, root)
    assert not merkle.verify_inclusion(leaves[0], n, n, [], root)  # outside the tree
