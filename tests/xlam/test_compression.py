"""MS-OVBA 2.4.1 compression: the spec's worked examples and an independent decoder."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from welfare_xl.xlam.compression import CHUNK_SIZE, CompressionError, compress, decompress

# MS-OVBA 3.2.1 - 3.2.3: (decompressed text, compressed bytes) exactly as printed.
SPEC_EXAMPLES = {
    "3.2.1 no compression": (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    "3.2.2 normal compression": (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F"
        " 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
    ),
    "3.2.3 maximum compression": (b"a" * 73, "01 03 B0 02 61 45 00"),
}


def olevba_decompress(data: bytes) -> bytes:
    """oletools' implementation, written independently of ours."""
    return bytes(decompress_stream(bytearray(data)))


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_compress_reproduces_spec_example_byte_for_byte(name: str) -> None:
    plain, packed_hex = SPEC_EXAMPLES[name]
    assert compress(plain) == bytes.fromhex(packed_hex)


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_decompress_reads_spec_example(name: str) -> None:
    plain, packed_hex = SPEC_EXAMPLES[name]
    assert decompress(bytes.fromhex(packed_hex)) == plain
    assert olevba_decompress(bytes.fromhex(packed_hex)) == plain


def test_empty_input_is_a_bare_signature() -> None:
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


@pytest.mark.parametrize("size", [1, 2, 3, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE])
def test_chunk_boundaries_round_trip_through_olevba(size: int) -> None:
    data = bytes((i * 7 + i // 13) % 251 for i in range(size))
    packed = compress(data)
    assert olevba_decompress(packed) == data
    assert decompress(packed) == data


def test_incompressible_full_chunk_is_stored_raw() -> None:
    data = random.Random(4).randbytes(CHUNK_SIZE)
    packed = compress(data)
    header = int.from_bytes(packed[1:3], "little")
    assert header >> 15 == 0, "flag bit must say 'raw chunk'"
    assert (header & 0x0FFF) + 3 == CHUNK_SIZE + 2
    assert olevba_decompress(packed) == data


def test_incompressible_short_final_chunk_is_refused() -> None:
    # MS-OVBA would pad such a raw chunk with zeros, which changes the data.
    with pytest.raises(CompressionError):
        compress(random.Random(5).randbytes(4000))


def test_corrupt_container_is_rejected() -> None:
    with pytest.raises(CompressionError):
        decompress(b"\x02\x00")
    with pytest.raises(CompressionError):
        decompress(b"\x01\x19\x80")  # bad chunk signature


VBA_LIKE = st.text(
    alphabet=st.sampled_from(list("    \r\nabcdefghijklmnopqrstuvwxyzABCDEF0123456789_=()&\"'.,")),
    max_size=12_000,
)


@settings(max_examples=60, deadline=None)
@given(VBA_LIKE)
def test_text_round_trips_through_olevba(text: str) -> None:
    data = text.encode("ascii")
    assert olevba_decompress(compress(data)) == data


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=3_000)
    | st.integers(min_value=1, max_value=2).flatmap(
        lambda n: st.binary(min_size=n * CHUNK_SIZE, max_size=n * CHUNK_SIZE)
    )
)
def test_binary_round_trips_through_olevba(data: bytes) -> None:
    # Lengths chosen so that no final chunk is both short and incompressible.
    packed = compress(data)
    assert olevba_decompress(packed) == data
    assert decompress(packed) == data
