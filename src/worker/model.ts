/**
 * The model the worker holds: a VAE of this app (trainable once the training split is in), or a
 * foreign model (a Keras export, a decoder alone) kept for exploring only. Either way the displays
 * reach it through a Codec.
 */
import * as tf from '../core/tf';
import type { ImageDataset } from '../core/data/dataset';
import { disposeLoaded, type LoadedModel } from '../core/io/load';
import { loadedCodec } from '../core/io/foreign';
import { WeightsError } from '../core/io/manifest';
import { vaeFromLoaded } from '../core/io/to-vae';
import { decodePoint, vaeCodec, type Codec } from '../core/model/codec';
import type { VaeConfig } from '../core/model/config';
import { appRange, SETTING_ROWS } from '../core/model/settings-table';
import { Vae } from '../core/model/vae';
import type { DecoderSnapshot } from '../core/latent/mlp-decoder';
import type { ModelInfo } from './protocol';
import { decoderSnapshot } from './readouts';
import { networkSnapshot, type NetworkSnapshot } from './decoder-copy';
import { checkHyperparameters, hyperparametersOf } from '../core/train/hyperparameters';
import { checkSameNetwork, TrainingSession } from './session';

/** Latent sizes the app can show (its scatter, manifold and sliders): the settings table's app range. */
export const LATENT_RANGE = appRange(SETTING_ROWS.latent);

/** Why an encoder that gives the mean alone has no σ ellipses, KL or test ELBO. */
export const NO_LOG_VAR = 'The encoder gives only the mean of q(z|x), not its log-variance, so σ ellipses, the KL and the test ELBO cannot be computed.';

/** The origin of a model with fresh random weights. */
const FRESH = 'fresh random weights';

/** Where a model came from, for `ModelInfo`. */
export interface Origin {
  /** In words, e.g. "the bundled model". */
  label: string;
  /** The URL it was loaded from, or null. */
  url: string | null;
  /** The encoder's model.json URL of a pair loaded without manifest. */
  encoderUrl?: string;
}

/** One model and, when it trains here, its session. */
export class ActiveModel {
  /** Set by `attach` for a trainable model. */
  session: TrainingSession | null = null;

  private constructor(
    readonly info: ModelInfo,
    readonly codec: Codec,
    /** The trainable VAE (owned by the session once there is one), or null; replaced, never changed, by `configure`. */
    private vae: Vae | null,
    /** The foreign model's LayersModels, or null. */
    readonly foreign: LoadedModel | null,
  ) {}

  /** A VAE with fresh random weights. */
  static fresh(config: VaeConfig, generation: number): ActiveModel {
    const vae = Vae.create(config);
    return new ActiveModel(
      {
        generation,
        origin: FRESH,
        url: null,
        latentDim: config.latentDim,
        hidden: [...config.hidden],
        likelihood: config.likelihood,
        trainable: true,
        notTrainable: null,
        hasEncoder: true,
        decodeInWorker: vae.decoderDenseLayers() === null,
        family: config.family,
        ...(config.conditional ? { classes: config.classes } : {}),
        training: null,
        dataset: null,
      },
      vaeCodec(vae),
      vae,
      null,
    );
  }

  /**
   * Takes over a loaded model: trainable when it is of this app's format (its training settings then
   * come from `settings`), explore-only otherwise. Throws WeightsError, disposing `loaded`, when the
   * app cannot show it.
   */
  static fromLoaded(loaded: LoadedModel, origin: Origin, generation: number, settings: VaeConfig): ActiveModel {
    const { latentDim, manifest } = loaded;
    if (latentDim < LATENT_RANGE.min || latentDim > LATENT_RANGE.max) {
      disposeLoaded(loaded);
      throw new WeightsError(`This model has a ${latentDim}-dimensional latent space; the app shows ${LATENT_RANGE.min} to ${LATENT_RANGE.max} dimensions.`);
    }
    const base = {
      generation,
      origin: origin.label,
      url: origin.url,
      encoderUrl: origin.encoderUrl ?? null,
      latentDim,
      hasEncoder: loaded.encoder !== null,
      training: manifest?.training ? { ...manifest.training } : null,
      noLogVar: loaded.encoder && !loaded.hasLogVar ? NO_LOG_VAR : null,
      dataset: manifest?.dataset ?? null,
    };
    let vae: Vae | null = null;
    let reason: string | null = null;
    try {
      // The architecture comes from the file, the training settings from the app.
      vae = vaeFromLoaded(loaded).withHyperparameters(hyperparametersOf(settings));
    } catch (err) {
      reason = !manifest?.config
        ? 'This model was not saved by this app (its manifest has no "config"), so it can be explored but not trained here.'
        : err instanceof WeightsError ? err.message : 'This model cannot be trained further here.';
    }
    if (vae) {
      const { hidden, likelihood, family, conditional, classes } = vae.config;
      // A decoder that is not a plain MLP (conv, conditional) has no main-thread copy: the worker decodes.
      const info = { ...base, hidden: [...hidden], likelihood, trainable: true, notTrainable: null, decodeInWorker: vae.decoderDenseLayers() === null, family, ...(conditional ? { classes } : {}) };
      return new ActiveModel(info, vaeCodec(vae), vae, null);
    }
    if (manifest?.conditional || loaded.decoder.inputs.length > 1) {
      // Only this app's own conditional models feed the class to their decoder (its codec); a foreign one cannot be shown.
      disposeLoaded(loaded);
      throw new WeightsError(`This is a conditional VAE (its decoder takes the class too) not made by this app, so the app cannot show it (${reason ?? 'no encoder'}).`);
    }
    const notTrainable = loaded.encoder ? reason : 'This model is a decoder alone, so it can be explored but not trained here.';
    const info = { ...base, hidden: null, likelihood: manifest?.likelihood ?? null, trainable: false, notTrainable, decodeInWorker: true };
    return new ActiveModel(info, loadedCodec(loaded), null, loaded);
  }

  /** The trainable VAE, or null for a foreign model. */
  get trainableVae(): Vae | null {
    return this.session?.vae ?? this.vae;
  }

  /**
   * Starts the training session of a trainable model once the training split is in. `classes`: the
   * dataset's number of classes (class-names.ts); a conditional model made for another number is not
   * trained on it (its one-hot code would not match the labels) and says so in `info.notTrainable`.
   * Returns true when that changed `info` (the app needs it again).
   */
  attach(train: ImageDataset, classes?: number): boolean {
    const config = this.vae?.config;
    if (config?.conditional && classes !== undefined && config.classes !== classes && this.info.trainable) {
      this.info.trainable = false;
      this.info.notTrainable = `This conditional model was made for ${config.classes} classes but the dataset has ${classes}, so it can be explored but not trained on it.`;
      return true;
    }
    if (this.vae && !this.session && this.info.trainable) this.session = new TrainingSession(this.vae, train, this.info.generation);
    return false;
  }

  /**
   * The same model made afresh for `classes` classes when it is a conditional VAE with fresh weights,
   * never trained, made for another number of classes (`atLeast`: for fewer), else null. The dataset's
   * count is known only once it is in: the test split's labels give a least count, the whole dataset the count.
   */
  remadeFor(classes: number, atLeast = false): ActiveModel | null {
    const config = this.vae?.config;
    if (!config?.conditional || (atLeast ? config.classes >= classes : config.classes === classes) || this.session || this.info.origin !== FRESH) return null;
    return ActiveModel.fresh({ ...config, classes }, this.info.generation);
  }

  /** Applies settings that keep the weights; ignored by a foreign model. */
  async configure(config: VaeConfig): Promise<void> {
    if (this.session) await this.session.configure(config);
    else if (this.vae) {
      checkSameNetwork(this.vae.config, config);
      this.vae = this.vae.withHyperparameters(checkHyperparameters(hyperparametersOf(config)));
    }
  }

  /**
   * Decoder weights for decoding outside this worker: an MLP's dense layers, conditional or not
   * (decoded in plain JavaScript on the main thread), a conv VAE's network weights (decoded by a copy
   * in the decoder worker); null for a foreign model (this worker decodes).
   */
  async snapshot(): Promise<DecoderSnapshot | NetworkSnapshot | null> {
    const vae = this.trainableVae;
    if (!vae) return null;
    return vae.config.family === 'mlp' ? decoderSnapshot(vae) : networkSnapshot(vae.config, vae.decoder);
  }

  /** Runs the model once on a zero image and a zero code; throws WeightsError in words when it cannot run here. */
  async probe(): Promise<void> {
    try {
      await decodePoint(this.codec, new Array<number>(this.codec.latentDim).fill(0));
      const encode = this.codec.encode;
      if (encode) {
        const out = tf.tidy(() => {
          const { mean, logVar } = encode(tf.zeros([1, this.codec.inputDim])); // [1, Z] each
          return [mean, logVar];
        });
        await Promise.all(out.map((t) => t.data()));
        tf.dispose(out);
      }
    } catch (err) {
      throw new WeightsError(`The model loaded but cannot run in this browser: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}.`);
    }
  }

  /** Frees every tensor of the model (and its optimizer state). */
  dispose(): void {
    if (this.session) this.session.dispose();
    else if (this.vae) this.vae.dispose();
    if (this.foreign) disposeLoaded(this.foreign);
  }
}
