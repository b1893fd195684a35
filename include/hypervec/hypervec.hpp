// Umbrella header: the whole public API of hypervec.
#pragma once

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/executor.hpp>
#include <hypervec/fft.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/model.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/random.hpp>
#include <hypervec/resonator.hpp>
#include <hypervec/storage.hpp>
#include <hypervec/structures.hpp>
#include <hypervec/sum.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/probe.hpp>
#include <hypervec/targets.hpp>
#include <hypervec/tie_break.hpp>
