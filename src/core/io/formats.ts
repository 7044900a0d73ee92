/**
 * Model files people paste that are not what a browser can read: a pickled PyTorch checkpoint
 * (`torch.save`: a zip, or a bare pickle), a Keras HDF5 or `.keras` file, ONNX, a TensorFlow
 * SavedModel. Each is named in one sentence that says what to export instead, from the file's first
 * bytes (its magic number) and its name.
 */
import { showLocation } from './quote';

const starts = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

const ZIP = [0x50, 0x4b, 0x03, 0x04]; // "PK\x03\x04"
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"

/** The file's name, lower case, without a query or fragment. */
function fileName(location: string): string {
  return (location.split(/[?#]/)[0].split('/').pop() ?? '').toLowerCase();
}

const TO_SAFETENSORS =
  'save the state dict with safetensors instead (safetensors.torch.save_file(model.state_dict(), "vae.safetensors")) and load that';
const TO_TFJS =
  'convert it with tensorflowjs_converter (--input_format keras for an .h5, keras_keras for a .keras file; encoder and decoder each to their own folder) and load the folder';

/**
 * A sentence naming what the file at `location` is when its `bytes` are a model format this app
 * does not read (see the module comment), or null when they are none of those.
 */
export function unreadableModelFormat(bytes: Uint8Array, location: string): string | null {
  const name = fileName(location);
  const where = showLocation(location);
  if (starts(bytes, HDF5) || /\.(h5|hdf5)$/.test(name)) return `${where} is a Keras HDF5 file, which a browser cannot read: ${TO_TFJS}.`;
  if (/\.keras$/.test(name)) return `${where} is a Keras .keras file, which a browser cannot read: ${TO_TFJS}.`;
  if (/\.(pt|pth|ckpt|pkl|pickle)$/.test(name) || (bytes.length > 1 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5)) {
    return `${where} is a pickled PyTorch file (torch.save), which a browser cannot read safely: ${TO_SAFETENSORS}.`;
  }
  if (/\.onnx$/.test(name)) return `${where} is an ONNX model, which this app does not read: for a PyTorch model, ${TO_SAFETENSORS}.`;
  if (/\.pb$/.test(name)) return `${where} is a TensorFlow SavedModel or frozen graph, which this app does not read: export the Keras encoder and decoder and ${TO_TFJS}.`;
  if (starts(bytes, ZIP) && !name.endsWith('.zip')) {
    return `${where} is a zip archive (a torch.save checkpoint or a .keras file is one), which this app does not read: for PyTorch, ${TO_SAFETENSORS}; for Keras, ${TO_TFJS}.`;
  }
  return null;
}
