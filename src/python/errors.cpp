// hypervec's C++ exceptions as Python exceptions, message kept whole:
// DimensionError and InvalidArgument (bad shapes, dtypes, values) are
// ValueError; IoError (files) is OSError; any other hypervec::Error is
// RuntimeError. std::bad_alloc is pybind11's MemoryError.
#include "src/python/ops.hpp"

#include <hypervec/error.hpp>

#include <exception>

namespace hypervec::python {

void register_errors(pybind11::module_) {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const IoError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const DimensionError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const InvalidArgument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace hypervec::python
