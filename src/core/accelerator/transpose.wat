;; out [cols, rows] = inᵀ for in [rows, cols], float32 in tfjs-wasm's memory (byte offsets); rows
;; and cols must be multiples of 4. Blocks of 4x4 go through eight 128-bit shuffles, not sixteen
;; scalar moves. MEMORY_IMPORT is replaced by scripts/build-kernels.mjs with a plain or a shared
;; memory import.
(module
  MEMORY_IMPORT
  (func (export "transpose") (param $in i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $inRowBytes i32) (local $outRowBytes i32) (local $src i32) (local $dst i32)
    (local $a v128) (local $b v128) (local $cc v128) (local $d v128)
    (local $ab01 v128) (local $ab23 v128) (local $cd01 v128) (local $cd23 v128)
    (local.set $inRowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $outRowBytes (i32.shl (local.get $rows) (i32.const 2)))
    (block $rowsDone
      (loop $rowBlock
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $colBlock
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
            ;; rows r..r+3 of the input at columns c..c+3
            (local.set $src (i32.add (local.get $in) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
            (local.set $a (v128.load (local.get $src)))
            (local.set $b (v128.load (i32.add (local.get $src) (local.get $inRowBytes))))
            (local.set $cc (v128.load (i32.add (local.get $src) (i32.shl (local.get $inRowBytes) (i32.const 1)))))
            (local.set $d (v128.load (i32.add (local.get $src) (i32.mul (local.get $inRowBytes) (i32.const 3)))))
            ;; a0 b0 a1 b1 | a2 b2 a3 b3 | c0 d0 c1 d1 | c2 d2 c3 d3
            (local.set $ab01 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
            (local.set $ab23 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
            (local.set $cd01 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
            (local.set $cd23 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
            ;; columns c..c+3 of the output at rows r..r+3: a_k b_k c_k d_k
            (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
            (v128.store (local.get $dst)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab01) (local.get $cd01)))
            (v128.store (i32.add (local.get $dst) (local.get $outRowBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab01) (local.get $cd01)))
            (v128.store (i32.add (local.get $dst) (i32.shl (local.get $outRowBytes) (i32.const 1)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab23) (local.get $cd23)))
            (v128.store (i32.add (local.get $dst) (i32.mul (local.get $outRowBytes) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab23) (local.get $cd23)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $colBlock)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowBlock)))))
