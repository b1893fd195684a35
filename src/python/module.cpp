// hypervec._hypervec: the C++ extension behind `import hypervec`
// (src/python/hypervec/__init__.py is the public face; docs/python.md).
#include "src/python/ops.hpp"

#include <hypervec/targets.hpp>

PYBIND11_MODULE(_hypervec, m) {
  m.doc() = "hypervec's C++ core (use the hypervec package, not this module)";
  hypervec::python::register_errors(m);
  hypervec::python::register_packed(m);
  hypervec::python::register_ops(m);
  hypervec::python::register_composite(m);
  hypervec::python::register_encodings(m);
  hypervec::python::register_memory(m);
  hypervec::python::register_probe(m);
}
