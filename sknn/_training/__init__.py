"""The private training machinery every estimator shares.

It knows tensors, modules and optimizers, never an estimator: the engine that
runs the loop (:mod:`.engine`, on skorch), in-memory batches (:mod:`.data`),
lean optimizer steps (:mod:`.step`), optimizers and their parameter groups
(:mod:`.optim`), convergence and progress callbacks (:mod:`.callbacks`), CPU
threads (:mod:`.threads`) and devices (:mod:`.device`).
"""
