/* The contract between generated kernels (generators/) and the C runtime (runtime/).
 *
 * Every kernel is a Halide AOT function named hk_<op>_<dir>_<dtype>_<isa> with one of three
 * signatures (the runtime declares them from the generated hact_kernels.inc):
 *   fwd:   (x, p[0..6], y)              y[i]  = f(x[i])
 *   bwd:   (x, dy, p[0..6], dx)         dx[i] = dy[i] * f'(x[i])
 *   pgrad: (x, dy, p[0..6], partial)    partial(lane, j) = sum over i = lane (mod LANES) of
 *                                        dy[i] * df(x[i])/dparam_j, in double
 * p[k] are the hact_params fields in declaration order. Buffers are dense and 1-D with extents
 * below 2^31; pgrad reads only the first floor(n / HACT_PGRAD_LANES) * HACT_PGRAD_LANES elements,
 * the runtime passes the rest in a zero-padded block. Learnable parameter j is the j-th set bit of
 * the op's learnable mask.
 * bf16 fwd and bwd kernels on CPUs take their three or two buffers as 32-bit words of two
 * elements (element 2j in the low half, 2j+1 in the high half), n/2 words; the runtime gives an
 * odd last element its own call (generators/activation_generator.cpp, "bf16 in pairs"), except
 * the kernels of the exact ops (HACT_EXACT_OPS), which take one element per 16 bits.
 *
 * Device kernels (hk_<op>_<dir>_<dtype>_cuda) take a user_context first (runtime/cuda.c: the
 * caller's CUDA context and stream) and device buffers: x, dy, y, dx are 4-D with any strides
 * (a dense array is [n, 1, 1, 1]; a strided tensor its layout merged to four dimensions or
 * fewer), extents and offsets within int32. Their pgrad is finished on the device:
 *   pgrad: (uc, x, dy, p[0..6], prior, accumulate, partial, grad)
 *          partial(k, b) = sum of dy df/dparam_k over block b, in double: with rows along
 *          dimension 0 (e0 elements, R = e1 e2 e3 rows), B = HACT_DEVICE_REDUCE_BLOCK, a block
 *          is a chunk of B elements of a row, or max(1, B / e0) whole rows: scratch of
 *          7 x ceil(e0 / B) x ceil(R / max(1, B / e0)) doubles; grad(k) = (accumulate ?
 *          prior(k) : 0) + sum_b partial(k, b), 7 floats laid out as hact_params (zero where
 *          the field is not learnable).
 */
#ifndef HACT_KERNEL_ABI_H
#define HACT_KERNEL_ABI_H

#define HACT_NUM_PARAMS 7
#define HACT_PGRAD_LANES 32
#define HACT_MAX_LEARNABLE 7
/* Device kernels' dimensions (x, dy, y, dx: 4-D with any strides, above). */
#define HACT_DEVICE_DIMS 4
/* Device parameter gradients: elements per partial sum (partial(k, b), b < ceil(n / this)). */
#define HACT_DEVICE_REDUCE_BLOCK 8192
/* No elementwise CPU kernel uses Halide's thread pool for a call of fewer elements
 * (schedules/cpu.cpp keeps its parallel threshold at or above it): the runtime holds its pool
 * lock (dispatch.c) for calls from this size up, so that hact_set_num_threads never restarts the
 * pool under a running kernel. */
#define HACT_POOL_MIN_ELEMENTS 32768
/* The exact ops: every result is x, dy, a signed zero, dy * 0 or a constant that bf16 and f16
 * hold. Their bf16 and f16 fwd/bwd kernels on CPUs compute on the 16-bit storage bits
 * (generators/exact_bits.h: twice the elements per vector, nothing converted or rounded), so
 * their bf16 kernels take elements, not pairs. X(op) per op; the generator stops the build if an
 * op listed here computes anything else. */
#define HACT_EXACT_OPS(X) X(relu) X(relu6)

#endif
