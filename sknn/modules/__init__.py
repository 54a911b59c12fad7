"""Pure-PyTorch networks: the ones sknn's classifiers train, for your own use.

Each is a plain :class:`torch.nn.Module` that returns one logit per output
unit and knows nothing of scikit-learn. Use them in your own PyTorch code, or
hand them to :class:`sknn.NeuralNetClassifier`, which sizes them from the data
through their ``n_features``, ``input_shape`` and ``n_outputs`` parameters::

    NeuralNetClassifier(module=sknn.modules.MLP, module__hidden_layer_sizes=(64,))

``MLP``
    Dense layers, for tables and flattened tensors (:class:`sknn.MLPClassifier`).
``CNN``
    Convolutions over 1-D signals, 2-D images or 3-D volumes, channels last or
    first (:class:`sknn.CNNClassifier`).
``RNN``
    Recurrent layers (LSTM, GRU, RNN) over sequences of any length, NaN
    padding skipped (:class:`sknn.RNNClassifier`).
"""

from ._cnn import CNN, GlobalAvgPool, make_pooling
from ._mlp import MLP
from ._rnn import RNN

__all__ = ["CNN", "GlobalAvgPool", "MLP", "RNN", "make_pooling"]
