"""Normalization inside the network, selectable by name.

Every value of the classifiers' ``normalization`` hyperparameter is built here,
for dense activations ``(N, C)`` and for feature maps ``(N, C, L)``,
``(N, C, H, W)``, ``(N, C, D, H, W)``, by :func:`make_normalization` and
:func:`reparametrize`; :func:`check_normalization` validates a name and its
options first.

Methods
-------
``None``
    No normalization.
``"batch"``
    Batch normalization (Ioffe & Szegedy, 2015, arXiv:1502.03167). Each
    feature (or channel, pooled over positions) is standardized with the mean
    and variance of the current batch, then scaled and shifted by learned
    parameters; evaluation uses running averages instead. It speeds up and
    steadies the training of MLPs and CNNs with batches of a few dozen
    samples, but its statistics turn noisy on small batches (the train and
    evaluation outputs then disagree), it cannot train on a batch of one, and
    it suits recurrent connections badly, whose statistics change with every
    time step.
``"weight"``
    Weight normalization (Salimans & Kingma, 2016, arXiv:1602.07868). No
    statistics at all: each output unit's weight vector is rewritten as a
    learned length times a unit direction, :math:`w = g\\, v / \\lVert v
    \\rVert`. It is cheap and independent of the batch, so it also fits small
    batches and recurrent networks, but it does not control the scale of the
    activations the way the statistical methods do.
``"layer"``
    Layer normalization (Ba, Kiros & Hinton, 2016, arXiv:1607.06450). Each
    sample is standardized over all its features (on feature maps: all its
    channels and positions, i.e. group normalization with one group), the
    same way in training and evaluation. The usual choice for recurrent
    networks, transformers and any batch size; on CNNs it often trails batch
    norm, since all channels of a sample share one mean and variance.
``"instance"``
    Instance normalization (Ulyanov, Vedaldi & Lempitsky, 2016,
    arXiv:1607.08022). Each channel of each sample is standardized over its
    spatial positions, which removes per-image contrast ("style"). Made for
    style transfer and image generation; it needs spatial axes (refused for
    dense layers) and discards the intensity of a channel, which a classifier
    may need.
``"group"``
    Group normalization (Wu & He, 2018, arXiv:1803.08494). The channels of a
    sample are split into groups, each standardized over its channels and
    positions: one group is layer norm, one channel per group instance norm.
    Independent of the batch size, it is the choice for CNNs trained with
    small batches. The group count must divide the channel count; by default
    it is :func:`default_groups`.
``"batch_renorm"``
    Batch renormalization (Ioffe, 2017, arXiv:1702.03275). Batch norm plus a
    clipped, non-learned correction that pulls the training output towards
    what the running statistics give, so that training and evaluation agree.
    It helps where batches are small or not i.i.d.; it adds a schedule for its
    clipping limits (:func:`batch_renorm_schedule`) and still needs at least
    two samples per batch.
``"batch_instance"``
    Batch-instance normalization (Nam & Kim, 2018, arXiv:1805.07925). A
    learned per-channel gate :math:`\\rho \\in [0, 1]` blends batch norm and
    instance norm, so each channel chooses whether to keep or remove style
    information. Feature maps only; it inherits batch norm's need for
    reasonable batches.
``"switchable"``
    Switchable normalization (Luo, Ren, Peng, Zhang & Li, 2019,
    arXiv:1806.10779). Learns softmax weights that mix the instance, layer and
    batch means and variances (layer and batch only on dense layers), letting
    each layer pick its own normalization. A safe default when unsure, at the
    cost of a little compute; with batch statistics in the mix, tiny batches
    still hurt.
``"spectral"``
    Spectral normalization (Miyato, Kataoka, Koyama & Yoshida, 2018,
    arXiv:1802.05957). Divides each weight matrix by its largest singular
    value, estimated by power iteration, which bounds every layer's Lipschitz
    constant by 1. Made to stabilize GAN discriminators; in a classifier it
    limits how fast the network can sharpen its outputs and usually costs
    accuracy.
``"scale"``
    ScaleNorm (Nguyen & Salazar, 2019, arXiv:1910.05895). Projects each
    feature vector (on feature maps: the channel vector at each position) onto
    a sphere whose radius is one learned scalar. Introduced for transformers
    trained on little data; cheap and batch-independent, but one scalar gives
    less control than layer norm's per-feature parameters.
``"rms"``
    RMSNorm (Zhang & Sennrich, 2019, arXiv:1910.07467). Layer norm without
    centring: divide by the root mean square and apply a learned per-feature
    gain, with no bias (on feature maps: the channel vector at each position).
    Cheaper than layer norm and the default of many recent language models; it
    does not remove a shift of the mean.

Where they apply
----------------
All methods apply to feature maps. ``"instance"`` and ``"batch_instance"``
do not apply to dense layers: an ``(N, C)`` activation has no spatial axis,
and :func:`check_normalization` says so. ``"batch"``, ``"batch_renorm"``,
``"batch_instance"`` and ``"switchable"`` use batch statistics
(:func:`uses_batch_statistics`); they raise ``ValueError`` when training on a
batch with a single value per channel, as torch's batch norm does.

Training-loop protocol
----------------------
A module with a ``constrain_()`` method (:class:`BatchInstanceNorm`) needs it
called after every optimizer step. A parameter with a ``_sknn_lr_scale``
attribute wants its learning rate multiplied by that factor, and one with
``_sknn_no_weight_decay = True`` no weight decay. The modules here know
nothing of scikit-learn.
"""

from ._batch_instance import BatchInstanceNorm
from ._batch_renorm import BatchRenorm, batch_renorm_schedule
from ._registry import (
    NORMALIZATION_METHODS,
    check_normalization,
    default_groups,
    make_normalization,
    reparametrize,
    uses_batch_statistics,
)
from ._scale import ScaleNorm
from ._switchable import SwitchableNorm

__all__ = [
    "BatchInstanceNorm",
    "BatchRenorm",
    "NORMALIZATION_METHODS",
    "ScaleNorm",
    "SwitchableNorm",
    "batch_renorm_schedule",
    "check_normalization",
    "default_groups",
    "make_normalization",
    "reparametrize",
    "uses_batch_statistics",
]
