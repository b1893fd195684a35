// Registration entry points of the extension's parts (one file each).
#pragma once

#include <pybind11/pybind11.h>

namespace hypervec::python {

/// hypervec._hypervec.{bsc,map,hrr,fhrr}: the model verbs (ops.cpp).
void register_ops(pybind11::module_ m);
/// hypervec.Packed (packed.cpp).
void register_packed(pybind11::module_ m);
/// C++ exceptions → ValueError / OSError / RuntimeError (errors.cpp).
void register_errors(pybind11::module_ m);
/// hypervec._hypervec.bsc.majority: bundling with a tie rule (composite.cpp).
void register_composite(pybind11::module_ m);
/// hypervec._hypervec.encode: level, thermometer, circular, fractional_power (encodings.cpp).
void register_encodings(pybind11::module_ m);
/// hypervec.Memory, the cleanup memories, and resonate (memory.cpp).
void register_memory(pybind11::module_ m);
/// hypervec._hypervec.probe: the probe decoder (probe.cpp).
void register_probe(pybind11::module_ m);

}  // namespace hypervec::python
