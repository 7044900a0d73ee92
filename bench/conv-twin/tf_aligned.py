"""The reference's ConvVAE (../shared/reference/torch_vae.py) with TF's 'same' alignment, so that it
computes the same function as the project's conv family (src/core/model/conv.ts) from the same
weights: each stride-2 convolution pads the bottom and right only; each stride-2 transposed
convolution runs 'valid' (2H + 1 rows and columns) and keeps rows and columns 0..2H-1. Shared by
torch_twin.py and torch_init_variants.py; `R` is the reference module itself."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'reference'))
import torch_vae as R  # noqa: E402  (re-runs under /usr/bin/python3 when torch is only there)
import torch, torch.nn.functional as F  # noqa: E402


class TfAlignedConvVAE(R.ConvVAE):
    """ConvVAE with TF's 'same'. `eps` ([B, Z]), when set, is the noise of the next forward pass instead of fresh noise."""

    eps = None

    def __init__(self, latent):
        super().__init__(latent)
        for m in (self.conv1, self.conv2, self.deconv1, self.deconv2):
            m.padding = (0, 0)
        for m in (self.deconv1, self.deconv2):
            m.output_padding = (0, 0)

    def encode(self, x, c=None):
        h = x.view(-1, 1, 28, 28)
        for conv in (self.conv1, self.conv2):
            h = F.relu(conv(F.pad(h, (0, 1, 0, 1))))  # [B, 32, 14, 14], [B, 64, 7, 7]
        return self.head(F.relu(self.fc(h.flatten(1)))).chunk(2, dim=1)

    def decode(self, z, c=None):
        h = F.relu(self.dfc(z)).view(-1, 64, 7, 7)
        for deconv in (self.deconv1, self.deconv2):
            h = F.relu(deconv(h)[:, :, :-1, :-1])  # [B, 64, 14, 14], [B, 32, 28, 28]
        return self.deconv3(h).flatten(1)  # logits [B, 784]

    def forward(self, x, c=None):
        if self.eps is None:
            return super().forward(x)
        mu, logvar = self.encode(x)
        return self.decode(mu + torch.exp(0.5 * logvar) * self.eps), mu, logvar
