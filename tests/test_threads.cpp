// 8. Thread count does not change results: forward / backward bit for bit and the parameter
// gradient exactly, with 1 and 2 threads (and the default), n = 2^20, every op x parameter set x ISA.
#include "hact_test.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {
using namespace hact_test;

struct ThreadScope {  // restores the default (one per core) when the scope ends
    ~ThreadScope() { hact_set_num_threads(0); }
};

class ThreadCount : public OpTest<> {};

TEST_P(ThreadCount, ResultsIndependentOfThreads) {
    const size_t n = size_t{1} << 20;
    auto g = rng(0x7E + c.isa);
    const std::vector<float> x = uniform_floats(g, n, -40, 40);
    const std::vector<float> dy = random_dys(g, n);
    ThreadScope restore;
    std::vector<float> y[3], dx[3];
    hact_params grad[3];
    const int threads[3] = {1, 2, 0};
    for (int t = 0; t < 3; ++t) {
        ASSERT_EQ(hact_set_num_threads(threads[t]), HACT_OK);
        if (threads[t] > 0) {
            ASSERT_EQ(hact_get_num_threads(), threads[t]);
        }
        y[t].assign(n, 0);
        dx[t].assign(n, 0);
        ASSERT_EQ(hact_forward(op.op, HACT_F32, x.data(), y[t].data(), n, &hp), HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_backward(op.op, HACT_F32, x.data(), dy.data(), dx[t].data(), n, &hp), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(hact_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &grad[t]), HACT_OK)
            << hact_last_error();
    }
    for (int t = 1; t < 3; ++t) {
        SCOPED_TRACE(std::to_string(threads[t]) + " threads vs 1");
        for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(bits(y[t][i]), bits(y[0][i])) << "forward [" << i << "] x=" << describe(x[i]);
            ASSERT_EQ(bits(dx[t][i]), bits(dx[0][i])) << "backward [" << i << "] x=" << describe(x[i]);
        }
        for (int k = 0; k < hact_ref::kNumFields; ++k)
            EXPECT_EQ(bits(hact_ref::field(grad[t], k)), bits(hact_ref::field(grad[0], k)))
                << "d" << hact_ref::field_name(k) << ": " << describe(hact_ref::field(grad[t], k)) << " vs "
                << describe(hact_ref::field(grad[0], k));
    }
}

INSTANTIATE_TEST_SUITE_P(All, ThreadCount, ::testing::ValuesIn(all_op_cpu_isa()), LabelName());

}  // namespace

namespace {

// Threads of this process (Linux: one entry per thread in /proc/self/task).
int process_threads() {
    int count = 0;
    if (DIR *d = opendir("/proc/self/task")) {
        while (const dirent *e = readdir(d)) count += e->d_name[0] != '.';
        closedir(d);
    }
    return count;
}

// Lowering the count really lowers it: Halide's pool keeps running workers it has once started
// unless hact restarts it (a call with 1 thread then ran on 2 cores). Counted, not timed: after
// hact_set_num_threads(1) a large call leaves no pool worker behind.
TEST(Threads, LoweringTheCountStopsWorkers) {
    ThreadScope restore;
    const size_t n = size_t{1} << 20;  // above the parallel threshold
    std::vector<float> x(n, 0.5f), y(n);
    ASSERT_EQ(hact_set_num_threads(1), HACT_OK);  // no pool left by earlier tests in this process
    const int before = process_threads();
    ASSERT_EQ(hact_set_num_threads(2), HACT_OK);
    ASSERT_EQ(hact_forward(hact_op_silu, HACT_F32, x.data(), y.data(), n, nullptr), HACT_OK);
    EXPECT_GE(process_threads(), before + 1) << "2 threads: the pool should have a worker";
    ASSERT_EQ(hact_set_num_threads(1), HACT_OK);
    ASSERT_EQ(hact_forward(hact_op_silu, HACT_F32, x.data(), y.data(), n, nullptr), HACT_OK);
    EXPECT_EQ(process_threads(), before) << "1 thread: no pool worker may remain";
}

// More threads than the pool holds (256: the caller and 255 workers, as Halide's pool) run as
// 256: a job keeps a task range per thread, and 400 wrote past them and hung the call (a
// 384-CPU machine's default would too). The alarm turns a hang into a failure.
TEST(Threads, MoreThreadsThanThePoolHoldsRunAs256) {
    ThreadScope restore;
    const size_t n = size_t{1} << 25;  // relu: 512 parallel tasks, more than 256 ranges
    std::vector<float> x(n), y(n);
    for (size_t i = 0; i < n; ++i) x[i] = (float)(i % 2001) - 1000.0f;
    const int before = process_threads();
    ASSERT_EQ(hact_set_num_threads(400), HACT_OK);
    EXPECT_EQ(hact_get_num_threads(), 400);
    alarm(120);
    ASSERT_EQ(hact_forward(hact_op_relu, HACT_F32, x.data(), y.data(), n, nullptr), HACT_OK) << hact_last_error();
    alarm(0);
    EXPECT_LE(process_threads(), before + 255) << "the pool started more than 255 workers";
    for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(y[i], x[i] > 0.0f ? x[i] : 0.0f) << "element " << i;
}

// A child forked after the pool has started workers has none of them (fork copies only the
// calling thread): its parallel calls must neither wait for them nor lose their tasks, and
// changing the count there must not wait for them to stop (runtime/pool.c).
TEST(Threads, ForkedChildRunsParallelCalls) {
    if (std::getenv("HACT_TEST_EMULATED"))
        GTEST_SKIP() << "under qemu-user a forked child of a multithreaded process cannot start a "
                        "thread (qemu's TCG asserts, exit 127); this test runs on the native build";
    ThreadScope restore;
    const size_t n = size_t{1} << 20;
    std::vector<float> x(n), y(n), y_child(n);
    for (size_t i = 0; i < n; ++i) x[i] = (float)(i % 2001) / 100.0f - 10.0f;
    ASSERT_EQ(hact_set_num_threads(2), HACT_OK);
    ASSERT_EQ(hact_forward(hact_op_silu, HACT_F32, x.data(), y.data(), n, nullptr), HACT_OK);
    fflush(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // exit codes: 0 ok, 1 a call failed, 2 results differ
        int code = 0;
        if (hact_forward(hact_op_silu, HACT_F32, x.data(), y_child.data(), n, nullptr) != HACT_OK) code = 1;
        if (!code && memcmp(y.data(), y_child.data(), n * sizeof(float)) != 0) code = 2;
        if (!code && hact_set_num_threads(2) != HACT_OK) code = 1;  // stops no worker, starts one
        std::fill(y_child.begin(), y_child.end(), 0.0f);
        if (!code && hact_forward(hact_op_silu, HACT_F32, x.data(), y_child.data(), n, nullptr) != HACT_OK) code = 1;
        if (!code && memcmp(y.data(), y_child.data(), n * sizeof(float)) != 0) code = 2;
        _exit(code);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "the child did not exit (status " << status << ")";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: a call failed in the child, 2: its results differ";
}

}  // namespace
