;; A dense matrix product for the tfjs wasm backend's heap, with fused multiply-add (relaxed SIMD):
;;   C [M, N] = op(A) · B,   op(A) = A stored [M, K], or Aᵀ with A stored [K, M] (transA = 1);  B [K, N]
;; all row-major float32, addressed by byte offset; N a multiple of 8, K >= 1.
;; `gemm` computes the rows [rowStart, rowEnd) of C, so threads can share a product by rows.
;; Rows go 4 at a time: the 4 rows of op(A) are first packed k-major into `pack` (K x 4 floats,
;; contiguous whatever A's layout), then each 4 x 8 block of C is 8 accumulator registers
;; updated by one FMA each per k (micro4); rows left over (M % 4) go one at a time (micro1).
;; 4 x 8 is the largest block whose accumulators, B row and A value stay in x64's 16 vector registers
;; (measured in Chromium: 6 x 8 spills).
(module
  MEMORY_IMPORT
  ;; C[i0..i0+4, j0..j0+8] = packed A panel (K x 4) · B[:, j0..j0+8]; pc = &C[i0, j0], ldb and ldc row strides in bytes
  (func $micro4 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $ldb i32) (param $ldc i32)
    (local $end i32) (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c0_0 v128) (local $c0_1 v128) (local $c1_0 v128) (local $c1_1 v128) (local $c2_0 v128) (local $c2_1 v128) (local $c3_0 v128) (local $c3_1 v128)
    (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $K) (i32.const 16))))
    (loop $k
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
      (local.set $c0_0 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c0_0)))
      (local.set $c0_1 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c0_1)))
      (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c1_0 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c1_0)))
      (local.set $c1_1 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c1_1)))
      (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c2_0 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c2_0)))
      (local.set $c2_1 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c2_1)))
      (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c3_0 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c3_0)))
      (local.set $c3_1 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c3_1)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
      (br_if $k (i32.lt_u (local.get $pa) (local.get $end))))
    (v128.store offset=0 (local.get $pc) (local.get $c0_0))
    (v128.store offset=16 (local.get $pc) (local.get $c0_1))
    (v128.store offset=0 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_0))
    (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_1))
    (v128.store offset=0 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_0))
    (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_1))
    (v128.store offset=0 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_0))
    (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_1))
  )
  ;; the same for one row
  (func $micro1 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $ldb i32) (param $ldc i32)
    (local $end i32) (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c0_0 v128) (local $c0_1 v128)
    (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $K) (i32.const 4))))
    (loop $k
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
      (local.set $c0_0 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c0_0)))
      (local.set $c0_1 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c0_1)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
      (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
      (br_if $k (i32.lt_u (local.get $pa) (local.get $end))))
    (v128.store offset=0 (local.get $pc) (local.get $c0_0))
    (v128.store offset=16 (local.get $pc) (local.get $c0_1))
  )

  ;; pack[k, r] = op(A)[i0 + r, k] for r < mr: the panel of mr rows, k-major
  (func $pack (param $a i32) (param $pack i32) (param $i0 i32) (param $mr i32) (param $M i32) (param $K i32) (param $transA i32)
    (local $k i32) (local $r i32) (local $src i32)
    (loop $k
      (local.set $r (i32.const 0))
      (loop $r
        (local.set $src (if (result i32) (local.get $transA)
          (then (i32.add (i32.mul (local.get $k) (local.get $M)) (i32.add (local.get $i0) (local.get $r))))
          (else (i32.add (i32.mul (i32.add (local.get $i0) (local.get $r)) (local.get $K)) (local.get $k)))))
        (f32.store (local.get $pack) (f32.load (i32.add (local.get $a) (i32.shl (local.get $src) (i32.const 2)))))
        (local.set $pack (i32.add (local.get $pack) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $r (i32.lt_u (local.get $r) (local.get $mr))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $k (i32.lt_u (local.get $k) (local.get $K)))))

  (func $rows4 (param $a i32) (param $b i32) (param $c i32) (param $pack i32) (param $i0 i32) (param $M i32) (param $K i32) (param $N i32) (param $transA i32)
    (local $j i32)
    (call $pack (local.get $a) (local.get $pack) (local.get $i0) (i32.const 4) (local.get $M) (local.get $K) (local.get $transA))
    (loop $j
      (call $micro4 (local.get $pack) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $N)) (local.get $j)) (i32.const 2)))
        (local.get $K) (i32.shl (local.get $N) (i32.const 2)) (i32.shl (local.get $N) (i32.const 2)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $j (i32.lt_u (local.get $j) (local.get $N)))))

  (func $rows1 (param $a i32) (param $b i32) (param $c i32) (param $pack i32) (param $i0 i32) (param $M i32) (param $K i32) (param $N i32) (param $transA i32)
    (local $j i32)
    (call $pack (local.get $a) (local.get $pack) (local.get $i0) (i32.const 1) (local.get $M) (local.get $K) (local.get $transA))
    (loop $j
      (call $micro1 (local.get $pack) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $N)) (local.get $j)) (i32.const 2)))
        (local.get $K) (i32.shl (local.get $N) (i32.const 2)) (i32.shl (local.get $N) (i32.const 2)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $j (i32.lt_u (local.get $j) (local.get $N)))))
  ;; rows [rowStart, rowEnd) of C = op(A)·B; pack: 4K floats of scratch, one per thread
  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $pack i32) (param $M i32) (param $K i32) (param $N i32) (param $transA i32) (param $rowStart i32) (param $rowEnd i32)
    (local $i i32)
    (local.set $i (local.get $rowStart))
    (block $done (loop $blocks
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $rowEnd)))
      (call $rows4 (local.get $a) (local.get $b) (local.get $c) (local.get $pack) (local.get $i) (local.get $M) (local.get $K) (local.get $N) (local.get $transA))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $blocks)))
    (block $done1 (loop $rest
      (br_if $done1 (i32.ge_u (local.get $i) (local.get $rowEnd)))
      (call $rows1 (local.get $a) (local.get $b) (local.get $c) (local.get $pack) (local.get $i) (local.get $M) (local.get $K) (local.get $N) (local.get $transA))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rest))))
)