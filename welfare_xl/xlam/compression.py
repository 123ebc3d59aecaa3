"""MS-OVBA 2.4.1 compression and decompression ("CompressedContainer").

Written from the specification text. Every VBA source stream and the ``VBA/dir``
stream of a ``vbaProject.bin`` are stored in this format.

Layout (2.4.1.1): one signature byte ``0x01`` followed by chunks. A chunk holds at
most 4096 decompressed bytes and starts with a 16-bit little-endian header:

* bits 0-11: chunk size in bytes (header included) minus 3,
* bits 12-14: signature ``0b011``,
* bit 15: 1 if the chunk is compressed, 0 if it holds 4096 raw bytes.

A compressed chunk is a series of token sequences: one flag byte, then up to eight
tokens; flag bit *i* set means token *i* is a 2-byte CopyToken (offset, length back
into the decompressed chunk), clear means a 1-byte literal.

The compressor follows the spec's procedure exactly, including its match choice
(2.4.1.3.19.4: the longest match, the nearest candidate among equally long ones,
then capped at the maximum length for the position), so its output reproduces the
worked examples in MS-OVBA 3.2 byte for byte. Candidates are found through a table
of 3-byte prefixes instead of the spec's exhaustive scan: a candidate whose first
three bytes differ can never be chosen (a match shorter than 3 is not used), so
the result is identical and the cost stays reasonable in Python.
"""

from __future__ import annotations

__all__ = ["CompressionError", "compress", "decompress"]

CHUNK_SIZE = 4096
_SIGNATURE_BYTE = 0x01
_CHUNK_SIGNATURE = 0b011
_MIN_MATCH = 3
# A compressed chunk may not exceed 4098 bytes (12-bit size field + 3).
_MAX_COMPRESSED_CHUNK = 4098


class CompressionError(ValueError):
    """Raised for data that is not a valid MS-OVBA CompressedContainer."""


def _copy_token_help(difference: int) -> tuple[int, int]:
    """Return (bit_count, maximum_length) for a position ``difference`` bytes
    into the decompressed chunk (2.4.1.3.19.1 CopyToken Help).

    ``bit_count`` is ceil(log2(difference)) with a floor of 4: the number of bits
    the token spends on the offset; the remaining bits hold the length.
    """
    bit_count = max((difference - 1).bit_length(), 4)
    maximum_length = (0xFFFF >> bit_count) + _MIN_MATCH
    return bit_count, maximum_length


def _pack_copy_token(offset: int, length: int, bit_count: int) -> int:
    """2.4.1.3.19.3 Pack CopyToken."""
    return ((offset - 1) << (16 - bit_count)) | (length - _MIN_MATCH)


def _chunk_header(size: int, compressed: bool) -> bytes:
    header = (size - 3) | (_CHUNK_SIGNATURE << 12) | (int(compressed) << 15)
    return header.to_bytes(2, "little")


def _longest_match(
    data: bytes, current: int, end: int, candidates: list[int]
) -> tuple[int, int]:
    """Return (length, candidate) of the longest match for ``data[current:]``.

    ``candidates`` lists earlier positions in the chunk sharing the next three
    bytes, oldest first. Lengths are bounded only by the chunk end, as in the
    spec; ties keep the nearest candidate because it is tried first and only a
    strictly longer match replaces it. Matches may overlap ``current`` (the
    decompressor copies byte by byte), which comparing ``data`` directly models.
    """
    limit = end - current
    best_length = 0
    best_candidate = -1
    for candidate in reversed(candidates):
        # Cheap rejection: a longer match must agree at index best_length.
        if best_length and data[candidate + best_length] != data[current + best_length]:
            continue
        length = _common_prefix(data, candidate, current, limit)
        if length > best_length:
            best_length, best_candidate = length, candidate
            if length == limit:
                break
    return best_length, best_candidate


def _common_prefix(data: bytes, a: int, b: int, limit: int) -> int:
    """Length of the common prefix of data[a:] and data[b:], at most ``limit``.

    Galloping with slice comparisons keeps the byte loop in C.
    """
    if data[a : a + limit] == data[b : b + limit]:
        return limit
    low, high = 0, limit  # data[a:a+low] == data[b:b+low]; the prefix is < high
    while high - low > 1:
        middle = (low + high) // 2
        if data[a + low : a + middle] == data[b + low : b + middle]:
            low = middle
        else:
            high = middle
    return low


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """2.4.1.3.7 Compressing a DecompressedChunk for ``data[start:end]``."""
    out = bytearray(2)  # header placeholder
    prefixes: dict[bytes, list[int]] = {}
    current = start

    def remember(position: int) -> None:
        if position + _MIN_MATCH <= end:
            prefixes.setdefault(data[position : position + _MIN_MATCH], []).append(position)

    while current < end and len(out) < _MAX_COMPRESSED_CHUNK:
        # 2.4.1.3.8 Compressing a TokenSequence
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            length = 0
            if current + _MIN_MATCH <= end:
                chain = prefixes.get(data[current : current + _MIN_MATCH])
                if chain:
                    length, candidate = _longest_match(data, current, end, chain)
            if length >= _MIN_MATCH:
                bit_count, maximum_length = _copy_token_help(current - start)
                length = min(length, maximum_length)
                token = _pack_copy_token(current - candidate, length, bit_count)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                for position in range(current, current + length):
                    remember(position)
                current += length
            else:
                out.append(data[current])
                remember(current)
                current += 1
        out[flag_index] = flags

    if current < end or len(out) > _MAX_COMPRESSED_CHUNK:
        # 2.4.1.3.10 Compressing a RawChunk: compression did not pay off. The
        # spec pads a short raw chunk with zeros; a raw chunk always
        # decompresses to 4096 bytes, so padding would alter the data. That can
        # only happen for a final chunk of >3640 incompressible bytes; refuse it
        # rather than produce a stream that does not round-trip.
        if end - start != CHUNK_SIZE:
            raise CompressionError(
                "final chunk is incompressible and shorter than 4096 bytes; "
                "MS-OVBA cannot represent it without padding"
            )
        raw = _chunk_header(CHUNK_SIZE + 2, compressed=False)
        return raw + data[start:end]

    out[0:2] = _chunk_header(len(out), compressed=True)
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.3.6)."""
    data = bytes(data)
    out = bytearray([_SIGNATURE_BYTE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data, start, min(start + CHUNK_SIZE, len(data)))
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1).

    Used by the builder to prove every stream it writes round-trips; tests also
    compare it with oletools' independent implementation.
    """
    container = bytes(container)
    if not container or container[0] != _SIGNATURE_BYTE:
        raise CompressionError("CompressedContainer must start with signature byte 0x01")
    out = bytearray()
    position = 1
    while position < len(container):
        if position + 2 > len(container):
            raise CompressionError("truncated chunk header")
        header = int.from_bytes(container[position : position + 2], "little")
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != _CHUNK_SIGNATURE:
            raise CompressionError(f"bad chunk signature at offset {position}")
        chunk_end = min(position + size, len(container))
        position += 2
        chunk_start = len(out)
        if not header >> 15:
            raw = container[position : position + CHUNK_SIZE]
            if len(raw) != CHUNK_SIZE:
                raise CompressionError("raw chunk shorter than 4096 bytes")
            out += raw
            position += CHUNK_SIZE
            continue
        while position < chunk_end:
            flags = container[position]
            position += 1
            for bit in range(8):
                if position >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(container[position])
                    position += 1
                    continue
                if position + 2 > chunk_end:
                    raise CompressionError("truncated copy token")
                token = int.from_bytes(container[position : position + 2], "little")
                position += 2
                bit_count, _ = _copy_token_help(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + _MIN_MATCH
                offset = (token >> (16 - bit_count)) + 1
                source = len(out) - offset
                if source < chunk_start:
                    raise CompressionError("copy token points before its chunk")
                for index in range(length):  # may overlap: copy byte by byte
                    out.append(out[source + index])
    return bytes(out)
