/**
 * SameDiff encoders: the ResNet and ViT families, with torchvision's parameter names and shapes.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.clce.models.Arch#create(ModelOptions)}: one registered architecture
 *       ({@link dev.clce.models.Arch}: resnet18/34/50/101/152, vit_ti_16, vit_s_16, vit_b_16,
 *       vit_b_32, vit_l_16); {@link dev.clce.models.Arch#spec(ModelOptions)} describes it
 *       without allocating (parameter counts, state entries, the feature extractor, classifier and
 *       projection head as separate parts: {@link dev.clce.models.EncoderSpec}).</li>
 *   <li>{@link dev.clce.models.ResNetBuilder} and {@link dev.clce.models.ViTBuilder}: custom shapes
 *       from the same builders.</li>
 *   <li>{@link dev.clce.models.EncoderModel}: the graph, its documented variable names
 *       ({@link dev.clce.models.ModelNames}), parameter lists, {@code setTraining(boolean)}, and the
 *       BatchNorm running-statistics updater ({@link dev.clce.models.BatchNormStatistics}).</li>
 * </ul>
 *
 * <pre>{@code
 * EncoderModel m = Arch.RESNET50.create(ModelOptions.builder().optClasses(100).build());
 * SameDiff sd = m.sameDiff();
 * SDVariable labels = sd.placeHolder("labels", DataType.INT32, -1);
 * SDClceLoss.of(sd).loss("loss", LossConfig.builder(LossKind.CLCE).build(),
 *     m.contrastiveEmbedding(), labels, m.logits()).markAsLoss();
 * sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-4))
 *     .dataSetFeatureMapping(m.inputName()).dataSetLabelMapping("labels").build());
 * sd.fit(iterator, epochs, m.batchNormStatistics().listener());
 * m.setTraining(false);
 * INDArray logits = m.output(images).get(ModelNames.LOGITS);
 * }</pre>
 *
 * <h2>Naming contract</h2>
 * Every parameter and buffer is a graph variable named by its torchvision {@code state_dict()} key
 * ({@code conv1.weight}, {@code layer1.0.downsample.1.running_mean}, {@code fc.weight},
 * {@code class_token}, {@code encoder.pos_embedding},
 * {@code encoder.layers.encoder_layer_0.self_attention.in_proj_weight},
 * {@code encoder.layers.encoder_layer_0.mlp.0.weight}, {@code heads.head.weight}, ...) with
 * torchvision's shape (linear layers [out, in]), except convolution weights: torchvision's
 * [out, in, kH, kW] is their state-dict shape ({@link dev.clce.models.layers.ParamSpec#shape()}), but the
 * graph variable holds them in ND4J's YXIO layout [kH, kW, in, out]
 * ({@link dev.clce.models.layers.StateLayout}, {@link dev.clce.models.layers.ParamSpec#graphShape()},
 * {@link dev.clce.models.EncoderModel#stateArray(String)} for a torchvision-layout view). Weight
 * import and export, checkpoints and listings all use torchvision's layout. The optional
 * projection head is {@code projection.0} and {@code projection.2}. Trainable parameters are
 * {@code VARIABLE}s; BatchNorm {@code running_mean}, {@code running_var} and {@code
 * num_batches_tracked} (INT64 scalar) are {@code CONSTANT}s. {@link
 * dev.clce.models.ModelSpec#stateEntries()} lists them in torchvision's state-dict order.
 *
 * <h2>M2.1 workarounds built in</h2>
 * BatchNorm, LayerNorm and ReLU run ND4J's native kernels through clce's own ops
 * ({@link dev.clce.models.ops}: ND4J's {@code batchNorm} cannot be differentiated in M2.1), or, with
 * {@link dev.clce.models.layers.NormKernel#PRIMITIVE} (the default for DOUBLE), BatchNorm and LayerNorm from
 * primitive ops, whose batch variance is a mean of squared deviations ({@code variance(x, false, ...)}
 * loses its {@code biasCorrected=false} flag in the graph that training runs); convolution weights are stored
 * {@code YXIO} in the graph ({@code conv2d_bp} fails with {@code OIYX}, and a permute per step costs
 * time); GELU is exact (erf);
 * attention is {@code mmul}/{@code softmax} with biases.
 */
package dev.clce.models;

