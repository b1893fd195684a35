// Register-only peak of the packed Hamming step on this core: loops of
// AVX-512 XOR / VPOPCNTQ / VPADDQ / VPTERNLOGQ on registers, no loads or
// stores, so that the packed search's and the probe decoder's figures can
// be stated as a fraction of what the core can do (docs/performance.md).
// x86-64 with AVX512F + AVX512_VPOPCNTDQ only; elsewhere every benchmark
// skips with a message.
//
//   BM_Peak/popcnt          VPOPCNTQ alone, 8 independent chains
//   BM_Peak/xor             VPXORQ alone, 8 independent chains
//   BM_Peak/xor_popcnt_add  the query-lane step before the carry-save tile:
//                           acc += popcount(q ^ r), 8 (query group, row) pairs
//   BM_Peak/csa             the carry-save step (simd/cleanup-inl.h
//                           HammingLaneTileCsa): ones' = ones ^ q' ^ r',
//                           carry = majority from ones', ones and q ^ r,
//                           sum += popcount(carry); 8 pairs, two words a step
//
// Counters: vector_ops/s = 512-bit ALU instructions per second (register
// moves not counted); words/s = 64-bit (query, row) word pairs added into a
// distance per second (8 lanes a vector; the csa step adds two words a lane).
// At D = 4096 a (query, row) distance is 64 words, so pairs/s = words/s / 64.
// Pin to one core (taskset -c 1): the chains are independent, so the figure
// is the core's issue throughput for that mix, not a latency.
//
//   BM_Scan/xor_popcnt/<M>/<D>  not register-only: the plain scan of one
//                           query over M rows of D bits in memory (4 rows at
//                           a time, one VPOPCNTQ accumulator each, a
//                           horizontal sum per row, distances stored), the
//                           ceiling for the single-query packed search
//                           (cleanup_bench BM_packed_single); bytes/s =
//                           codebook bytes read per second.
#include <benchmark/benchmark.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

constexpr std::int64_t kSteps = 1000;  // loop trips per timed call, 8 pairs × 4 steps each

bool have_vpopcntq() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
  return false;
#endif
}

#if defined(__x86_64__) && defined(__GNUC__)
// Operands: zmm0-7 accumulators (sum), zmm8-15 second accumulators (ones),
// zmm16-19 query words, zmm20-21 row words, zmm22-31 temporaries. Every
// asm block lists them as clobbered; the loop counter is the only input.
#define HV_ZMM_CLOBBERS                                                                    \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19",      \
      "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28",      \
      "xmm29", "xmm30", "xmm31"

// Fills zmm0-21 with distinct values (so no op has constant operands).
#define HV_ZMM_INIT                               \
  "vpternlogq $0xff, %%zmm16, %%zmm16, %%zmm16\n" \
  "vpsrlq $3, %%zmm16, %%zmm17\n"                 \
  "vpsllq $5, %%zmm16, %%zmm18\n"                 \
  "vpsrlq $7, %%zmm16, %%zmm19\n"                 \
  "vpsrlq $11, %%zmm16, %%zmm20\n"                \
  "vpsllq $13, %%zmm16, %%zmm21\n"                \
  "vpxorq %%zmm0, %%zmm0, %%zmm0\n"               \
  "vmovdqa64 %%zmm0, %%zmm1\n"                    \
  "vmovdqa64 %%zmm0, %%zmm2\n"                    \
  "vmovdqa64 %%zmm0, %%zmm3\n"                    \
  "vmovdqa64 %%zmm0, %%zmm4\n"                    \
  "vmovdqa64 %%zmm0, %%zmm5\n"                    \
  "vmovdqa64 %%zmm0, %%zmm6\n"                    \
  "vmovdqa64 %%zmm0, %%zmm7\n"                    \
  "vmovdqa64 %%zmm17, %%zmm8\n"                   \
  "vmovdqa64 %%zmm18, %%zmm9\n"                   \
  "vmovdqa64 %%zmm19, %%zmm10\n"                  \
  "vmovdqa64 %%zmm20, %%zmm11\n"                  \
  "vmovdqa64 %%zmm21, %%zmm12\n"                  \
  "vmovdqa64 %%zmm17, %%zmm13\n"                  \
  "vmovdqa64 %%zmm18, %%zmm14\n"                  \
  "vmovdqa64 %%zmm19, %%zmm15\n"

__attribute__((target("avx512f,avx512vpopcntdq"))) void popcnt_loop(std::int64_t n) {
  asm volatile(HV_ZMM_INIT
               "1:\n"
               ".rept 4\n"
               "vpopcntq %%zmm16, %%zmm0\n vpopcntq %%zmm17, %%zmm1\n"
               "vpopcntq %%zmm18, %%zmm2\n vpopcntq %%zmm19, %%zmm3\n"
               "vpopcntq %%zmm20, %%zmm4\n vpopcntq %%zmm21, %%zmm5\n"
               "vpopcntq %%zmm16, %%zmm6\n vpopcntq %%zmm17, %%zmm7\n"
               ".endr\n"
               "dec %0\n jnz 1b\n"
               : "+r"(n)
               :
               : HV_ZMM_CLOBBERS, "cc");
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void xor_loop(std::int64_t n) {
  asm volatile(HV_ZMM_INIT
               "1:\n"
               ".rept 4\n"
               "vpxorq %%zmm16, %%zmm0, %%zmm0\n vpxorq %%zmm17, %%zmm1, %%zmm1\n"
               "vpxorq %%zmm18, %%zmm2, %%zmm2\n vpxorq %%zmm19, %%zmm3, %%zmm3\n"
               "vpxorq %%zmm20, %%zmm4, %%zmm4\n vpxorq %%zmm21, %%zmm5, %%zmm5\n"
               "vpxorq %%zmm16, %%zmm6, %%zmm6\n vpxorq %%zmm17, %%zmm7, %%zmm7\n"
               ".endr\n"
               "dec %0\n jnz 1b\n"
               : "+r"(n)
               :
               : HV_ZMM_CLOBBERS, "cc");
}

// One pair: t = q ^ r; t = popcount(t); acc += t.
#define HV_XPA(Q, R, T, ACC)                 \
  "vpxorq " R ", " Q ", " T "\n"             \
  "vpopcntq " T ", " T "\n"                  \
  "vpaddq " T ", " ACC ", " ACC "\n"

__attribute__((target("avx512f,avx512vpopcntdq"))) void xor_popcnt_add_loop(std::int64_t n) {
  asm volatile(HV_ZMM_INIT
               "1:\n"
               ".rept 4\n"
               HV_XPA("%%zmm16", "%%zmm20", "%%zmm22", "%%zmm0")
               HV_XPA("%%zmm17", "%%zmm20", "%%zmm23", "%%zmm1")
               HV_XPA("%%zmm18", "%%zmm20", "%%zmm24", "%%zmm2")
               HV_XPA("%%zmm19", "%%zmm20", "%%zmm25", "%%zmm3")
               HV_XPA("%%zmm16", "%%zmm21", "%%zmm26", "%%zmm4")
               HV_XPA("%%zmm17", "%%zmm21", "%%zmm27", "%%zmm5")
               HV_XPA("%%zmm18", "%%zmm21", "%%zmm28", "%%zmm6")
               HV_XPA("%%zmm19", "%%zmm21", "%%zmm29", "%%zmm7")
               ".endr\n"
               "dec %0\n jnz 1b\n"
               : "+r"(n)
               :
               : HV_ZMM_CLOBBERS, "cc");
}

// One pair, two words (simd/cleanup-inl.h HammingLaneTileCsa, AT&T order:
// vpternlogq $imm, C, B, A with A the destination):
//   old = ones; ones = ones ^ qb ^ rb (0x96); x = qa ^ ra;
//   x = (ones ^ old) ? old : x (0xB2 on (x, ones, old)); x = popcount(x); sum += x.
#define HV_CSA(QA, QB, RA, RB, OLD, X, ONES, SUM)       \
  "vmovdqa64 " ONES ", " OLD "\n"                       \
  "vpternlogq $0x96, " RB ", " QB ", " ONES "\n"        \
  "vpxorq " RA ", " QA ", " X "\n"                      \
  "vpternlogq $0xb2, " OLD ", " ONES ", " X "\n"        \
  "vpopcntq " X ", " X "\n"                             \
  "vpaddq " X ", " SUM ", " SUM "\n"

__attribute__((target("avx512f,avx512vpopcntdq"))) void csa_loop(std::int64_t n) {
  asm volatile(HV_ZMM_INIT
               "1:\n"
               ".rept 4\n"
               HV_CSA("%%zmm16", "%%zmm17", "%%zmm20", "%%zmm21", "%%zmm22", "%%zmm23", "%%zmm8", "%%zmm0")
               HV_CSA("%%zmm18", "%%zmm19", "%%zmm20", "%%zmm21", "%%zmm24", "%%zmm25", "%%zmm9", "%%zmm1")
               HV_CSA("%%zmm16", "%%zmm17", "%%zmm21", "%%zmm20", "%%zmm26", "%%zmm27", "%%zmm10", "%%zmm2")
               HV_CSA("%%zmm18", "%%zmm19", "%%zmm21", "%%zmm20", "%%zmm28", "%%zmm29", "%%zmm11", "%%zmm3")
               HV_CSA("%%zmm17", "%%zmm16", "%%zmm20", "%%zmm21", "%%zmm30", "%%zmm31", "%%zmm12", "%%zmm4")
               HV_CSA("%%zmm19", "%%zmm18", "%%zmm20", "%%zmm21", "%%zmm22", "%%zmm23", "%%zmm13", "%%zmm5")
               HV_CSA("%%zmm17", "%%zmm16", "%%zmm21", "%%zmm20", "%%zmm24", "%%zmm25", "%%zmm14", "%%zmm6")
               HV_CSA("%%zmm19", "%%zmm18", "%%zmm21", "%%zmm20", "%%zmm26", "%%zmm27", "%%zmm15", "%%zmm7")
               ".endr\n"
               "dec %0\n jnz 1b\n"
               : "+r"(n)
               :
               : HV_ZMM_CLOBBERS, "cc");
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
/// out[r] = popcount(q ^ row r) for the m rows of nw words (nw a multiple of
/// 8) at rows + r·nw.
__attribute__((target("avx512f,avx512vpopcntdq"))) void scan_rows(
    const std::uint64_t* q, const std::uint64_t* rows, std::size_t m, std::size_t nw,
    std::uint32_t* out) {
  std::size_t r = 0;
  for (; r + 4 <= m; r += 4) {
    const std::uint64_t* p = rows + r * nw;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t i = 0; i < nw; i += 8) {
      const __m512i qv = _mm512_loadu_si512(q + i);
      a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(qv, _mm512_loadu_si512(p + i))));
      a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_xor_si512(qv, _mm512_loadu_si512(p + nw + i))));
      a2 = _mm512_add_epi64(a2, _mm512_popcnt_epi64(_mm512_xor_si512(qv, _mm512_loadu_si512(p + 2 * nw + i))));
      a3 = _mm512_add_epi64(a3, _mm512_popcnt_epi64(_mm512_xor_si512(qv, _mm512_loadu_si512(p + 3 * nw + i))));
    }
    out[r] = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(a0));
    out[r + 1] = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(a1));
    out[r + 2] = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(a2));
    out[r + 3] = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(a3));
  }
  for (; r < m; ++r) {
    __m512i a = _mm512_setzero_si512();
    for (std::size_t i = 0; i < nw; i += 8) {
      a = _mm512_add_epi64(a, _mm512_popcnt_epi64(_mm512_xor_si512(
                                  _mm512_loadu_si512(q + i), _mm512_loadu_si512(rows + r * nw + i))));
    }
    out[r] = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(a));
  }
}
#endif

/// The plain scan: M = range(0) rows of D = range(1) bits (a multiple of 512),
/// pseudo-random, scored against one query per iteration.
void BM_ScanXorPopcnt(benchmark::State& state) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (!have_vpopcntq()) {
    state.SkipWithError("needs x86-64 with AVX512F and AVX512_VPOPCNTDQ");
    return;
  }
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::size_t nw = static_cast<std::size_t>(state.range(1)) / 64;
  auto* rows = static_cast<std::uint64_t*>(std::aligned_alloc(64, m * nw * 8));
  auto* q = static_cast<std::uint64_t*>(std::aligned_alloc(64, nw * 8));
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  auto next = [&x] {  // SplitMix64
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  for (std::size_t i = 0; i < m * nw; ++i) rows[i] = next();
  for (std::size_t i = 0; i < nw; ++i) q[i] = next();
  std::vector<std::uint32_t> out(m);
  for (auto _ : state) {
    scan_rows(q, rows, m, nw, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m * nw * 8));
  std::free(q);
  std::free(rows);
#else
  state.SkipWithError("needs x86-64 with AVX512F and AVX512_VPOPCNTDQ");
#endif
}

/// Runs loop(kSteps) per iteration; each trip does 32 pair steps (8 pairs ×
/// 4), `ops` ALU instructions and `words` lane-words per pair step.
void run(benchmark::State& state, void (*loop)(std::int64_t), double ops, double words) {
  if (!have_vpopcntq() || loop == nullptr) {
    state.SkipWithError("needs x86-64 with AVX512F and AVX512_VPOPCNTDQ");
    return;
  }
  for (auto _ : state) loop(kSteps);
  const double steps = static_cast<double>(state.iterations()) * kSteps * 32;
  state.counters["vector_ops/s"] = benchmark::Counter(steps * ops, benchmark::Counter::kIsRate);
  state.counters["words/s"] = benchmark::Counter(steps * words, benchmark::Counter::kIsRate);
}

#if defined(__x86_64__) && defined(__GNUC__)
void (*const kPopcnt)(std::int64_t) = popcnt_loop;
void (*const kXor)(std::int64_t) = xor_loop;
void (*const kXorPopcntAdd)(std::int64_t) = xor_popcnt_add_loop;
void (*const kCsa)(std::int64_t) = csa_loop;
#else
void (*const kPopcnt)(std::int64_t) = nullptr;
void (*const kXor)(std::int64_t) = nullptr;
void (*const kXorPopcntAdd)(std::int64_t) = nullptr;
void (*const kCsa)(std::int64_t) = nullptr;
#endif

// A popcount or XOR "pair step" is one instruction on 8 lanes (words = 8
// for popcount: 8 words counted; 0 for XOR alone, which adds nothing).
void BM_PeakPopcnt(benchmark::State& s) { run(s, kPopcnt, 1, 8); }
void BM_PeakXor(benchmark::State& s) { run(s, kXor, 1, 0); }
void BM_PeakXorPopcntAdd(benchmark::State& s) { run(s, kXorPopcntAdd, 3, 8); }
void BM_PeakCsa(benchmark::State& s) { run(s, kCsa, 5, 16); }

}  // namespace

BENCHMARK(BM_PeakPopcnt)->Name("BM_Peak/popcnt");
BENCHMARK(BM_PeakXor)->Name("BM_Peak/xor");
BENCHMARK(BM_PeakXorPopcntAdd)->Name("BM_Peak/xor_popcnt_add");
BENCHMARK(BM_PeakCsa)->Name("BM_Peak/csa");
BENCHMARK(BM_ScanXorPopcnt)
    ->Name("BM_Scan/xor_popcnt")
    ->Args({1000, 8192})
    ->Args({10000, 8192})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
