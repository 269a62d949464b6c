/// Sees the fp32 input of every linear layer a model runs, by the layer's weight name
/// (`layers.3.mlp.Wo.weight`, `head.dense.weight`, `decoder.weight` for the MLM decoder, tied or not).
///
/// Why: int8 calibration (`mbconvert quantize --int8`) needs each layer's activations on real text,
/// per input channel, to choose outlier smoothing; recording them inside the runtime avoids a second
/// implementation of attention and the MLP in the converter. Only layers that read fp32 rows report
/// (every layer of an fp32 model); calls come from the thread that runs the layer, one at a time per
/// forward pass.
public protocol LinearInputObserver: AnyObject {
    /// `x` holds `rows` rows of `cols` floats, valid only during the call.
    func observe(_ name: String, _ x: UnsafePointer<Float>, rows: Int, cols: Int)
}
