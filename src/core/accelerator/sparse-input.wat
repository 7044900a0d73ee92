;; The two products of a dense layer whose input is a data batch with mostly zero pixels (MNIST:
;; about 19% are not zero), skipping the zeros. All arrays are float32 in tfjs-wasm's memory, given
;; by byte offset; `units` must be a multiple of 4 (128-bit SIMD rows). MEMORY_IMPORT is replaced by
;; scripts/build-kernels.mjs with a plain or a shared memory import.
;;
;;   forward     out [units, batch] = (X · W)ᵀ         X [batch, inputs], W [inputs, units]
;;   weightGrad  dW  [inputs, units] = Xᵀ · Gᵀ          G [units, batch]
;;
;; Both are made of one step: a row that is a weighted sum of some rows of a matrix, the rows and
;; weights given as a list of (byte offset, weight) pairs (the non-zero pixels of an example, or the
;; examples whose pixel p is not zero).
(module
  MEMORY_IMPORT

  ;; out[0..rowBytes) = sum over k < n of weight_k * matrix row at offset_k, where the list holds
  ;; n pairs (i32 byte offset into the matrix, f32 weight). 32 columns at a time in eight 128-bit
  ;; registers, then 4 at a time.
  (func $combineRows (param $list i32) (param $n i32) (param $matrix i32) (param $rowBytes i32) (param $out i32)
    (local $col i32) (local $entry i32) (local $listEnd i32) (local $src i32) (local $s v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $listEnd (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 3))))
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $col) (i32.const 128)) (local.get $rowBytes)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $a4 (v128.const i32x4 0 0 0 0))
        (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0))
        (local.set $a7 (v128.const i32x4 0 0 0 0))
        (local.set $entry (local.get $list))
        (block $listDone
          (loop $next
            (br_if $listDone (i32.ge_u (local.get $entry) (local.get $listEnd)))
            (local.set $src (i32.add (i32.add (local.get $matrix) (local.get $col)) (i32.load (local.get $entry))))
            (local.set $s (v128.load32_splat offset=4 (local.get $entry)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $src)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $src)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $src)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $src)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (v128.load offset=64 (local.get $src)))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (v128.load offset=80 (local.get $src)))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (v128.load offset=96 (local.get $src)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (v128.load offset=112 (local.get $src)))))
            (local.set $entry (i32.add (local.get $entry) (i32.const 8)))
            (br $next)))
        (v128.store offset=0 (local.get $out) (local.get $a0))
        (v128.store offset=16 (local.get $out) (local.get $a1))
        (v128.store offset=32 (local.get $out) (local.get $a2))
        (v128.store offset=48 (local.get $out) (local.get $a3))
        (v128.store offset=64 (local.get $out) (local.get $a4))
        (v128.store offset=80 (local.get $out) (local.get $a5))
        (v128.store offset=96 (local.get $out) (local.get $a6))
        (v128.store offset=112 (local.get $out) (local.get $a7))
        (local.set $out (i32.add (local.get $out) (i32.const 128)))
        (local.set $col (i32.add (local.get $col) (i32.const 128)))
        (br $wide)))
    (block $narrowDone
      (loop $narrow
        (br_if $narrowDone (i32.ge_u (local.get $col) (local.get $rowBytes)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $entry (local.get $list))
        (block $listDone
          (loop $next
            (br_if $listDone (i32.ge_u (local.get $entry) (local.get $listEnd)))
            (local.set $src (i32.add (i32.add (local.get $matrix) (local.get $col)) (i32.load (local.get $entry))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat offset=4 (local.get $entry)) (v128.load (local.get $src)))))
            (local.set $entry (i32.add (local.get $entry) (i32.const 8)))
            (br $next)))
        (v128.store (local.get $out) (local.get $a0))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $narrow))))

  ;; Lists the non-zero values among `count` floats from `first`, `strideBytes` apart, as pairs
  ;; (index * rowBytes, value) at `list`; returns how many.
  (func $listNonZero (param $first i32) (param $count i32) (param $strideBytes i32) (param $rowBytes i32) (param $list i32) (result i32)
    (local $i i32) (local $n i32) (local $v f32) (local $at i32)
    (local.set $at (local.get $first))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $v (f32.load (local.get $at)))
        (if (f32.ne (local.get $v) (f32.const 0))
          (then
            (i32.store (local.get $list) (i32.mul (local.get $i) (local.get $rowBytes)))
            (f32.store offset=4 (local.get $list) (local.get $v))
            (local.set $list (i32.add (local.get $list) (i32.const 8)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $at (i32.add (local.get $at) (local.get $strideBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Columns [bStart, bEnd) of out [units, batch] = (X · W)ᵀ (threads share the batch by ranges).
  ;; Scratch: `units` floats of row, then 2 * inputs words of list, per thread.
  ;; Example b's row of X·W sums W's rows at b's non-zero pixels, scaled by them; it goes to column b.
  (func (export "forward")
    (param $x i32) (param $w i32) (param $out i32) (param $scratch i32)
    (param $batch i32) (param $inputs i32) (param $units i32) (param $bStart i32) (param $bEnd i32)
    (local $b i32) (local $j i32) (local $n i32) (local $rowBytes i32) (local $list i32)
    (local.set $rowBytes (i32.shl (local.get $units) (i32.const 2)))
    (local.set $list (i32.add (local.get $scratch) (local.get $rowBytes)))
    (local.set $b (local.get $bStart))
    (block $examplesDone
      (loop $example
        (br_if $examplesDone (i32.ge_u (local.get $b) (local.get $bEnd)))
        (local.set $n (call $listNonZero
          (i32.add (local.get $x) (i32.shl (i32.mul (local.get $b) (local.get $inputs)) (i32.const 2)))
          (local.get $inputs) (i32.const 4) (local.get $rowBytes) (local.get $list)))
        (call $combineRows (local.get $list) (local.get $n) (local.get $w) (local.get $rowBytes) (local.get $scratch))
        ;; out[j, b] = row[j]
        (local.set $j (i32.const 0))
        (block $unitsDone
          (loop $unit
            (br_if $unitsDone (i32.ge_u (local.get $j) (local.get $units)))
            (f32.store
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $batch)) (local.get $b)) (i32.const 2)))
              (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $unit)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $example))))

  ;; Rows [pStart, pEnd) of dW [inputs, units] = Xᵀ · Gᵀ, from gt = Gᵀ [batch, units] (threads share
  ;; the pixels by ranges). Scratch: 2 * batch words of list, per thread.
  ;; Row p of dW sums the gradient rows of the examples whose pixel p is not zero, scaled by it.
  (func (export "weightGrad")
    (param $x i32) (param $gt i32) (param $dw i32) (param $scratch i32)
    (param $batch i32) (param $inputs i32) (param $units i32) (param $pStart i32) (param $pEnd i32)
    (local $p i32) (local $n i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $units) (i32.const 2)))
    (local.set $p (local.get $pStart))
    (block $pixelsDone
      (loop $pixel
        (br_if $pixelsDone (i32.ge_u (local.get $p) (local.get $pEnd)))
        (local.set $n (call $listNonZero
          (i32.add (local.get $x) (i32.shl (local.get $p) (i32.const 2)))
          (local.get $batch) (i32.shl (local.get $inputs) (i32.const 2)) (local.get $rowBytes) (local.get $scratch)))
        (call $combineRows (local.get $scratch) (local.get $n) (local.get $gt) (local.get $rowBytes)
          (i32.add (local.get $dw) (i32.mul (local.get $p) (local.get $rowBytes))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel)))))
