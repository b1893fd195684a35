"""The array boundary (docs/python.md, "Arrays"): what is read in place, what is
converted once, what is refused, and that outputs owning hypervec's buffers stay
alive. Copies are measured, not assumed: NumPy reports every data buffer it
allocates to tracemalloc, so the peak traced memory of a call counts the copies
the call made (hypervec's own buffers are not traced)."""

import gc
import tracemalloc

import numpy as np
import pytest

import hypervec as hv

N, D = 256, 4096
UNIT = N * D * 4  # bytes of one (N, D) float32 array


def traced_peak(call):
    """Peak bytes NumPy allocated while `call()` ran, in units of one (N, D) float32."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        call()
        return (tracemalloc.get_traced_memory()[1] - base) / UNIT
    finally:
        tracemalloc.stop()


@pytest.fixture
def pair(rng):
    a = rng.choice(np.array([-1, 1], np.float32), size=(N, D))
    b = rng.standard_normal((N, D)).astype(np.float32)
    return a, b


# --- read in place -------------------------------------------------------------


def test_the_measure_sees_a_copy(pair):
    """A non-contiguous float32 input must be copied: the peak shows it (else the
    zero-copy tests below would prove nothing)."""
    a, b = pair
    fortran = np.asfortranarray(a)
    assert traced_peak(lambda: hv.map.bind(fortran, b)) == pytest.approx(2.0, abs=0.1)


def test_c_contiguous_inputs_are_read_in_place(pair):
    a, b = pair
    # Only the (N, D) output is allocated.
    assert traced_peak(lambda: hv.map.bind(a, b)) == pytest.approx(1.0, abs=0.1)
    assert traced_peak(lambda: hv.map.multiset(a.reshape(N // 4, 4, D))) == pytest.approx(
        0.25, abs=0.05
    )
    # A codebook of N rows against N queries: only the (N, N) float64 scores.
    assert traced_peak(lambda: hv.map.cosine_similarity(a, b)) < 0.2
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    assert traced_peak(lambda: hv.hrr.dot_similarity(a64, b64)) < 0.2
    c = (a + 1j * b).astype(np.complex64)
    assert traced_peak(lambda: hv.fhrr.bind(c, c)) == pytest.approx(2.0, abs=0.1)


def test_row_slices_and_padded_rows_are_read_in_place(pair):
    a, b = pair
    # Every other row: rows one stride apart, last axis contiguous.
    assert traced_peak(lambda: hv.map.bind(a[::2], b[::2])) == pytest.approx(0.5, abs=0.05)
    # hypervec's own random codebooks pad rows to 64 bytes (stride > D).
    book = hv.map.random(N, 1000, seed=3)
    assert book.strides[0] > 4 * 1000
    queries = np.ones((N, 1000), np.float32)
    assert traced_peak(lambda: hv.map.cosine_similarity(queries, book)) < 0.2
    np.testing.assert_allclose(
        hv.map.dot_similarity(queries, book), queries @ np.ascontiguousarray(book).T, rtol=1e-5
    )


def test_array_interface_and_buffer_objects_are_read_in_place(pair):
    """Objects that are not ndarrays but expose their memory (the array
    interface, the buffer protocol) are read in place too."""
    a, b = pair

    class Interface:
        def __init__(self, x):
            self.__array_interface__ = x.__array_interface__
            self.keep = x

    assert traced_peak(lambda: hv.map.bind(Interface(a), b)) == pytest.approx(1.0, abs=0.1)
    np.testing.assert_array_equal(hv.map.bind(Interface(a), b), a * b)
    view = memoryview(a)
    assert traced_peak(lambda: hv.map.bind(view, b)) == pytest.approx(1.0, abs=0.1)


def test_in_place_reads_see_the_callers_memory(pair):
    """The input is the caller's memory, not a snapshot taken once: change it
    through another view and the next call sees the change."""
    a, b = pair
    view = a[3:5]
    before = hv.map.bind(view, b[0])
    a[4, 7] = 5.0
    after = hv.map.bind(view, b[0])
    assert after[1, 7] == np.float32(5.0) * b[0, 7] and before[1, 7] != after[1, 7]


# --- converted once ------------------------------------------------------------


@pytest.mark.parametrize(
    "layout", ["c", "fortran", "columns"], ids=["c-order", "fortran", "every-other-column"]
)
def test_float64_converts_to_float32_once(pair, layout):
    a, b = pair
    a64 = a.astype(np.float64)
    if layout == "fortran":
        a64 = np.asfortranarray(a64)
    elif layout == "columns":
        a64 = np.repeat(a64, 2, axis=1)[:, ::2]
    # One float32 copy of a plus the output.
    assert traced_peak(lambda: hv.map.bind(a64, b)) == pytest.approx(2.0, abs=0.1)
    np.testing.assert_array_equal(hv.map.bind(a64, b), a * b)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.int16, np.int64, np.uint8, np.bool_, np.float16, np.float64, ">f4"]
)
def test_real_dtypes_convert_quietly_for_map(rng, dtype):
    x = rng.integers(0, 2, size=(3, 65)).astype(dtype)
    y = rng.standard_normal((3, 65)).astype(np.float32)
    out = hv.map.bind(x, y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x.astype(np.float32) * y, rtol=1e-6)


def test_complex128_converts_to_complex64_once(rng):
    z = np.exp(1j * rng.uniform(-np.pi, np.pi, size=(N, D // 2)))  # complex128: 2 units
    w = z.astype(np.complex64)
    peak = traced_peak(lambda: hv.fhrr.bind(z, w))
    assert peak == pytest.approx(2.0, abs=0.1)  # one complex64 copy + the complex64 output
    np.testing.assert_allclose(hv.fhrr.bind(z, w), (w * w), rtol=1e-5, atol=1e-6)


def test_element_type_follows_the_arguments(rng):
    i8 = rng.choice(np.array([-1, 1], np.int8), size=(2, 64))
    f32 = i8.astype(np.float32)
    assert hv.map.bind(i8, i8).dtype == np.int8
    # Nothing is ever converted to int8: one non-int8 argument makes it float32.
    assert hv.map.bind(i8, f32).dtype == np.float32
    assert hv.map.bind(i8, i8.astype(np.int16)).dtype == np.float32
    assert hv.hrr.bind(f32, f32).dtype == np.float32
    assert hv.hrr.bind(f32, f32.astype(np.float64)).dtype == np.float64


# --- refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: hv.map.bind(x.astype(np.complex64), x), "a has dtype complex64"),
        (lambda x: hv.hrr.bind(x, x.astype(np.complex128)), "b has dtype complex128"),
        (lambda x: hv.fhrr.bind(x, x.astype(np.complex64)), "a has dtype float32"),
        (lambda x: hv.fhrr.bind(x.astype(np.clongdouble), x.astype(np.complex64)),
         "a has dtype complex256"),
        (lambda x: hv.map.bind(x.astype(object), x), "a has dtype object"),
        (lambda x: hv.map.cosine_similarity(x, x.astype(str)), "others has dtype <U"),
    ],
    ids=["complex-to-map", "complex-to-hrr", "real-to-fhrr", "complex256", "object", "str"],
)
def test_surprising_conversions_raise(call, message):
    x = np.ones((2, 8), np.float32)
    with pytest.raises(ValueError, match=message):
        call(x)


def test_shapes_are_checked_with_the_argument_named():
    x = np.ones((3, 8), np.float32)
    with pytest.raises(ValueError, match="map.bind: a is a scalar"):
        hv.map.bind(np.float32(1.0), x)
    with pytest.raises(ValueError, match="map.bind: a is a scalar"):
        hv.map.bind(np.array(1.0, np.float32), x)
    with pytest.raises(ValueError, match="b has D=0"):
        hv.map.bind(x, np.zeros(0, np.float32))
    with pytest.raises(ValueError, match="a has D=8 and b has D=9"):
        hv.map.bind(x, np.ones(9, np.float32))
    with pytest.raises(ValueError, match="input has D=8 and others has D=7"):
        hv.map.cosine_similarity(x, np.ones((4, 7), np.float32))
    with pytest.raises(ValueError, match=r"batch shape \(3,\).*batch shape \(2,\).*broadcast"):
        hv.map.bind(x, np.ones((2, 8), np.float32))
    with pytest.raises(ValueError, match="no vectors to bundle"):
        hv.map.multiset(np.zeros((0, 8), np.float32))


def test_lists_are_arrays_and_ragged_lists_are_refused():
    np.testing.assert_array_equal(hv.map.bind([[1, -1, 1]], [2, 2, 2]), [[2, -2, 2]])
    with pytest.raises(ValueError, match="a is not an array \\(list\\).*inhomogeneous") as e:
        hv.map.bind([[1, -1], [1]], [1, 1])
    assert isinstance(e.value.__cause__, ValueError)  # NumPy's own error, chained
    with pytest.raises(ValueError, match="a has dtype object"):
        hv.map.bind(object(), [1, 1])


# --- layouts that are not C order: the same answers --------------------------


def test_strided_broadcast_and_reversed_inputs_give_numpy_answers(rng):
    a = rng.standard_normal((6, 2 * 33)).astype(np.float32)
    b = rng.standard_normal((6, 33)).astype(np.float32)
    columns = a[:, ::2]  # last axis not contiguous
    np.testing.assert_array_equal(hv.map.bind(columns, b), columns * b)
    reversed_rows = b[::-1]  # negative row stride
    np.testing.assert_array_equal(hv.map.bind(reversed_rows, b), reversed_rows * b)
    transposed = np.ascontiguousarray(b.T).T  # Fortran order
    np.testing.assert_array_equal(hv.map.bind(transposed, b), b * b)
    repeated = np.broadcast_to(b[0], (6, 33))  # row stride 0
    assert repeated.strides[0] == 0
    np.testing.assert_array_equal(hv.map.bind(repeated, b), b[0] * b)
    np.testing.assert_allclose(
        hv.map.dot_similarity(repeated, b), repeated @ b.T, rtol=1e-5
    )
    zero_strided_last = np.broadcast_to(np.float32(2.0), (6, 33))
    np.testing.assert_array_equal(hv.map.bind(zero_strided_last, b), 2 * b)
    # A float32 array at an odd byte address (not aligned to 4).
    raw = np.zeros(6 * 33 * 4 + 1, np.uint8)
    odd = raw[1:].view(np.float32).reshape(6, 33)
    odd[:] = b
    assert not odd.flags.aligned
    np.testing.assert_array_equal(hv.map.bind(odd, b), b * b)


def misaligned(x):
    """x's values in a buffer one byte past an aligned address."""
    raw = np.zeros(x.nbytes + 1, np.uint8)
    out = raw[1:].view(x.dtype).reshape(x.shape)
    out[:] = x
    assert not out.flags.aligned
    return out


def test_misaligned_buffers_of_every_dtype_are_read_correctly(rng):
    # Read from an aligned copy (in place would be a misaligned load: the
    # ASan+UBSan build of these tests reports it).
    h = (rng.standard_normal((4, 65)) / np.sqrt(65)).astype(np.float64)
    np.testing.assert_allclose(hv.hrr.bind(misaligned(h), h), hv.hrr.bind(h, h), rtol=1e-12)
    z = np.exp(1j * rng.uniform(-np.pi, np.pi, (4, 65))).astype(np.complex64)
    np.testing.assert_array_equal(hv.fhrr.bind(misaligned(z), z), hv.fhrr.bind(z, z))
    p = hv.Packed.from_bipolar(rng.choice(np.array([-1.0, 1.0]), size=(3, 130)))
    q = hv.Packed(misaligned(np.asarray(p.words)), 130)
    assert q == p


def test_empty_batches_give_empty_results():
    x = np.ones((0, 8), np.float32)
    assert hv.map.bind(x, np.ones(8, np.float32)).shape == (0, 8)
    assert hv.map.cosine_similarity(x, np.ones((3, 8), np.float32)).shape == (0, 3)
    assert hv.map.cosine_similarity(np.ones((2, 8), np.float32), x).shape == (2, 0)
    assert hv.map.random(0, 8, seed=1).shape == (0, 8)
    assert hv.Packed.from_bipolar(np.ones((0, 5, 8))).shape == (0, 5, 8)


# --- outputs that own hypervec's buffers ---------------------------------------


def test_owning_outputs_outlive_their_producer():
    book = hv.map.random(5, 100, seed=9)
    assert not book.flags.owndata and type(book.base).__name__ == "PyCapsule"
    expected = book.copy()
    row = book[3]
    del book
    gc.collect()
    np.testing.assert_array_equal(row, expected[3])

    p = hv.bsc.random(4, 130, seed=9)
    expected_words = p.words.copy()
    words, view = p.words, memoryview(p)
    del p
    gc.collect()
    np.testing.assert_array_equal(words, expected_words)
    np.testing.assert_array_equal(np.asarray(view), expected_words)


def test_outputs_go_to_torch_without_a_copy():
    torch = pytest.importorskip("torch")
    book = hv.map.random(5, 100, seed=9)
    expected = book.copy()
    t = torch.from_numpy(book)
    assert t.data_ptr() == book.ctypes.data
    del book
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), expected)


# --- torch tensors -------------------------------------------------------------


def test_torch_cpu_tensors_are_read_in_place(pair):
    torch = pytest.importorskip("torch")
    a, b = pair
    ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
    assert traced_peak(lambda: hv.map.bind(ta, tb)) == pytest.approx(1.0, abs=0.1)
    np.testing.assert_array_equal(hv.map.bind(ta, tb), a * b)
    # Not contiguous: converted once, same answer.
    np.testing.assert_array_equal(hv.map.bind(ta.t(), tb.t()), (a * b).T)
    assert traced_peak(lambda: hv.map.bind(ta.t(), tb.t())) == pytest.approx(3.0, abs=0.1)


def test_torch_dtypes_choose_the_element_type_as_numpy_dtypes_do(rng):
    torch = pytest.importorskip("torch")
    x = rng.choice(np.array([-1, 1], np.int8), size=(2, 64))
    t8 = torch.from_numpy(x)
    assert hv.map.bind(t8, t8).dtype == np.int8
    t64 = torch.from_numpy(x.astype(np.float64))
    assert hv.hrr.bind(t64, t64).dtype == np.float64
    np.testing.assert_allclose(hv.hrr.bind(t64, t64), hv.hrr.bind(t64.numpy(), t64.numpy()))
    c = torch.from_numpy(np.exp(1j * x).astype(np.complex64))
    assert hv.fhrr.bind(c, c).dtype == np.complex64
    assert hv.bind(c, c).dtype == np.complex64  # functional picks FHRR for complex tensors


def test_torch_tensors_numpy_cannot_read_raise_value_error():
    torch = pytest.importorskip("torch")
    x = np.ones(8, np.float32)
    with pytest.raises(ValueError, match="a is not an array \\(Tensor\\).*detach"):
        hv.map.bind(torch.ones(2, 8, requires_grad=True), x)
    # requires_grad is fine once detached (no copy either).
    np.testing.assert_array_equal(hv.map.bind(torch.ones(2, 8, requires_grad=True).detach(), x),
                                  np.ones((2, 8)))
    with pytest.raises(ValueError, match="a is not an array \\(Tensor\\).*cpu"):
        hv.map.bind(torch.ones(2, 8, device="meta"), x)
    with pytest.raises(ValueError, match="BFloat16"):
        hv.map.bind(torch.ones(2, 8, dtype=torch.bfloat16), x)


def test_torch_cuda_tensors_raise_value_error():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device (the meta-device case above covers the refusal)")
    with pytest.raises(ValueError, match="cpu"):
        hv.map.bind(torch.ones(2, 8, device="cuda"), np.ones(8, np.float32))


# --- Packed --------------------------------------------------------------------


def test_packed_cannot_be_written_through_its_views():
    p = hv.bsc.random(3, 100, seed=4)  # 100 bits: 28 tail bits that must stay 0
    assert memoryview(p).readonly
    assert not p.words.flags.writeable and not np.asarray(p).flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        p.words[0, -1] = ~np.uint64(0)
    with pytest.raises(TypeError):
        memoryview(p)[0, 1] = 1
    assert np.shares_memory(p.words, np.asarray(p))
    assert (p.words[:, -1] >> np.uint64(100 - 64) == 0).all()


def test_packed_wraps_the_callers_words_without_a_copy():
    words = np.zeros((2, 2), np.uint64)
    p = hv.Packed(words, 100)
    assert np.shares_memory(p.words, words)
    # The caller's array stays the caller's: writing into it is seen by p (and
    # keeping the bits past D zero is then the caller's job, docs/python.md).
    words[1, 0] = 1
    assert p.to_bipolar()[1, 0] == -1


def test_packed_arguments_are_checked():
    with pytest.raises(TypeError, match="numpy.ndarray"):
        hv.Packed([1, 2], 128)
    with pytest.raises(TypeError):
        hv.Packed(np.zeros(2, np.uint64), -1)
    with pytest.raises(ValueError, match="words has dtype int64; expected uint64"):
        hv.Packed(np.zeros(2, np.int64), 128)
    with pytest.raises(ValueError, match="dim is 0"):
        hv.Packed(np.zeros(1, np.uint64), 0)
    with pytest.raises(ValueError, match="past D=100"):
        hv.Packed(np.array([0, 1 << 40], np.uint64), 100)
    with pytest.raises(ValueError, match="bits has dtype int64; expected uint8"):
        hv.Packed.from_packbits([1, 2], 16, one="negative")
    with pytest.raises(ValueError, match="not bipolar"):
        hv.Packed.from_bipolar([1, 0, -1])
    with pytest.raises(ValueError, match="bsc.bind: a is ndarray, not a hypervec.Packed"):
        hv.bsc.bind(np.ones(64), hv.bsc.random(1, 64, seed=1))
    with pytest.raises(ValueError, match="map.bind: b is a hypervec.Packed"):
        hv.map.bind(np.ones(64, np.float32), hv.bsc.random(1, 64, seed=1))


# --- seeds ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "7", [7]])
@pytest.mark.parametrize("model", ["map", "bsc", "hrr", "fhrr"])
def test_bad_seeds_raise_value_error(model, seed):
    with pytest.raises(ValueError, match=f"{model}.random: seed=.* is not an integer"):
        getattr(hv, model).random(2, 64, seed=seed)


def test_integer_like_seeds_are_the_same_seed():
    expected = hv.map.random(2, 64, seed=7)
    np.testing.assert_array_equal(hv.map.random(2, 64, seed=np.uint64(7)), expected)
    np.testing.assert_array_equal(hv.map.random(2, 64, seed=np.int32(7)), expected)
    assert hv.map.random(1, 64, seed=2**64 - 1).shape == (1, 64)
