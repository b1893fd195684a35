"""NumPy references shared by the Python tests: random inputs of each model in
NumPy form and plain-NumPy transcriptions of the verbs (bind), written once."""

import numpy as np

import hypervec as hv

MODELS = ["MAP", "BSC", "HRR", "FHRR"]


def bipolar(rng, shape, dtype=np.float32):
    """Uniform ±1 components."""
    return rng.choice(np.array([-1, 1], dtype=dtype), size=shape)


def vectors(rng, vsa, shape):
    """Random inputs of the model in its NumPy form (BSC: ±1 float32; HRR:
    N(0, 1/D); FHRR: unit phasors)."""
    if vsa in ("MAP", "BSC"):
        return bipolar(rng, shape)
    if vsa == "HRR":
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)
    return np.exp(1j * rng.uniform(-np.pi, np.pi, shape)).astype(np.complex64)


def to_model(vsa, x):
    """The NumPy form as the model's input (BSC: Packed)."""
    return hv.Packed.from_bipolar(x) if vsa == "BSC" else x


def to_numpy(vsa, y):
    """A model's output in NumPy form (BSC: ±1)."""
    return y.to_bipolar() if vsa == "BSC" else np.asarray(y)


def ref_bind(vsa, a, b):
    """HRR: circular convolution through the FFT; the others: a * b."""
    if vsa == "HRR":
        return np.fft.irfft(np.fft.rfft(a) * np.fft.rfft(b), n=a.shape[-1])
    return a * b
