;; The Bernoulli negative log-likelihood of a batch and its gradient in one pass (instead of ~12
;; element-wise kernels), feature-major: logits L and pixels X are [pixels, batch], float32, in
;; tfjs-wasm's memory (byte offsets); `batch` must be a multiple of 4. MEMORY_IMPORT is replaced by
;; scripts/build-kernels.mjs with a plain or a shared memory import.
;;
;;   nll[b]     = sum over p of  max(l, 0) - l x + log(1 + exp(-|l|))      l = L[p, b], x = X[p, b]
;;   grad[p, b] = sigmoid(l) - x                                          (d nll[b] / d L[p, b])
;;
;; exp and log1p are polynomials (wasm has no transcendental instructions), to float precision:
;;   exp(t), t <= 0:  t = n ln2 + r with |r| <= ln2 / 2;  exp(t) = 2^n * (degree-6 Taylor in r)
;;   log1p(e), 0 < e <= 1:  = 2 atanh(s), s = e / (2 + e) <= 1/3;  odd series up to s^15
(module
  MEMORY_IMPORT

  ;; exp(t) for lanes t <= 0 (below -87 it gives exp(-87), about 1.6e-38). Rounding n by adding
  ;; 1.5 * 2^23 leaves n in the low bits of the sum, which shift straight into 2^n's exponent
  ;; (V8 compiles f32x4.nearest, trunc_sat and max to long sequences; pmax is one instruction).
  (func $expNonPositive (param $t v128) (result v128)
    (local $shifted v128) (local $n v128) (local $r v128) (local $p v128)
    (local.set $t (f32x4.pmax (f32x4.splat (f32.const -87.0)) (local.get $t)))
    (local.set $shifted (f32x4.add (f32x4.mul (local.get $t) (f32x4.splat (f32.const 1.44269504089))) (f32x4.splat (f32.const 12582912))))
    (local.set $n (f32x4.sub (local.get $shifted) (f32x4.splat (f32.const 12582912))))
    ;; r = t - n ln2, ln2 split in two parts so that n * hi is exact (Cody and Waite)
    (local.set $r (f32x4.sub (local.get $t) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693145751953125)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 1.428606765330187e-06)))))
    ;; 1 + r (1 + r/2 (1 + r/3 (1 + r/4 (1 + r/5 (1 + r/6)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.16666667)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.2))) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.25))) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.33333334))) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.5))) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (local.get $p))))
    ;; times 2^n, n in [-126, 0]: exponent bits (n + 127) << 23
    (f32x4.mul (local.get $p) (i32x4.add (i32x4.shl (local.get $shifted) (i32.const 23)) (i32x4.splat (i32.const 0x3F800000)))))

  ;; log(1 + e) for lanes 0 < e <= 1.
  (func $log1pUnit (param $e v128) (result v128)
    (local $s v128) (local $s2 v128) (local $q v128)
    (local.set $s (f32x4.div (local.get $e) (f32x4.add (local.get $e) (f32x4.splat (f32.const 2)))))
    (local.set $s2 (f32x4.mul (local.get $s) (local.get $s)))
    ;; 2 (s + s^3/3 + ... + s^15/15) = 2 s (1 + s2 (1/3 + s2 (1/5 + ... + s2/15)))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.07692308)) (f32x4.mul (local.get $s2) (f32x4.splat (f32.const 0.06666667)))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.09090909)) (f32x4.mul (local.get $s2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.11111111)) (f32x4.mul (local.get $s2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.14285715)) (f32x4.mul (local.get $s2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.2)) (f32x4.mul (local.get $s2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 0.33333334)) (f32x4.mul (local.get $s2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $s2) (local.get $q))))
    (f32x4.mul (f32x4.add (local.get $s) (local.get $s)) (local.get $q)))

;; Columns [bStart, bEnd) of nll [batch] and grad [pixels, batch] from logits and x [pixels, batch]
  ;; (threads share the batch by ranges; bStart and bEnd multiples of 4). Three short passes
  ;; over each row (e = exp(-|l|); the loss; the gradient), not one long one: each pass's
  ;; dependency chain is short enough for the CPU to overlap many vectors (one long pass ran 3x slower).
  (func (export "bernoulli")
    (param $logits i32) (param $x i32) (param $nll i32) (param $grad i32) (param $pixels i32) (param $batch i32)
    (param $bStart i32) (param $bEnd i32)
    (local $rowBytes i32) (local $row i32) (local $end i32) (local $col i32) (local $at i32)
    (local $l v128) (local $e v128) (local $colStart i32) (local $colEnd i32)
    (local.set $rowBytes (i32.shl (local.get $batch) (i32.const 2)))
    (local.set $colStart (i32.shl (local.get $bStart) (i32.const 2)))
    (local.set $colEnd (i32.shl (local.get $bEnd) (i32.const 2)))
    ;; nll = 0
    (local.set $col (local.get $colStart))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $col) (local.get $colEnd)))
        (v128.store (i32.add (local.get $nll) (local.get $col)) (v128.const i32x4 0 0 0 0))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $zero)))
    (local.set $end (i32.mul (local.get $pixels) (local.get $rowBytes)))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
        ;; grad <- e = exp(-|l|)
        (local.set $col (local.get $colStart))
        (block $passDone
          (loop $next
            (br_if $passDone (i32.ge_u (local.get $col) (local.get $colEnd)))
            (local.set $at (i32.add (local.get $row) (local.get $col)))
            (v128.store (i32.add (local.get $grad) (local.get $at))
              (call $expNonPositive (f32x4.neg (f32x4.abs (v128.load (i32.add (local.get $logits) (local.get $at)))))))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (br $next)))
        ;; nll += max(l, 0) - l x + log1p(e)
        (local.set $col (local.get $colStart))
        (block $passDone
          (loop $next
            (br_if $passDone (i32.ge_u (local.get $col) (local.get $colEnd)))
            (local.set $at (i32.add (local.get $row) (local.get $col)))
            (local.set $l (v128.load (i32.add (local.get $logits) (local.get $at))))
            (v128.store (i32.add (local.get $nll) (local.get $col))
              (f32x4.add
                (v128.load (i32.add (local.get $nll) (local.get $col)))
                (f32x4.add
                  (f32x4.sub
                    (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $l))
                    (f32x4.mul (local.get $l) (v128.load (i32.add (local.get $x) (local.get $at)))))
                  (call $log1pUnit (v128.load (i32.add (local.get $grad) (local.get $at)))))))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (br $next)))
        ;; grad <- sigmoid(l) - x, where sigmoid(l) = 1 / (1 + e) for l >= 0, e / (1 + e) below
        (local.set $col (local.get $colStart))
        (block $passDone
          (loop $next
            (br_if $passDone (i32.ge_u (local.get $col) (local.get $colEnd)))
            (local.set $at (i32.add (local.get $row) (local.get $col)))
            (local.set $e (v128.load (i32.add (local.get $grad) (local.get $at))))
            (v128.store (i32.add (local.get $grad) (local.get $at))
              (f32x4.sub
                (f32x4.div
                  (v128.bitselect
                    (f32x4.splat (f32.const 1))
                    (local.get $e)
                    (f32x4.ge (v128.load (i32.add (local.get $logits) (local.get $at))) (v128.const f32x4 0 0 0 0)))
                  (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e)))
                (v128.load (i32.add (local.get $x) (local.get $at)))))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (br $next)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $nextRow))))

  ;; out[p, b] = g[p, b] * scale[b]: the gradient times the upstream gradient of each example's loss.
  ;; g, out [pixels, batch], scale [batch]; batch a multiple of 4.
  (func (export "scaleColumns")
    (param $g i32) (param $scale i32) (param $out i32) (param $pixels i32) (param $batch i32)
    (local $rowBytes i32) (local $at i32) (local $end i32) (local $col i32)
    (local.set $rowBytes (i32.shl (local.get $batch) (i32.const 2)))
    (local.set $end (i32.mul (local.get $pixels) (local.get $rowBytes)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $at))) (v128.load (i32.add (local.get $scale) (local.get $col)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (if (i32.ge_u (local.get $col) (local.get $rowBytes)) (then (local.set $col (i32.const 0))))
        (br $next)))))
