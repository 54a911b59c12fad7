"""The private training machinery every estimator shares.

It knows tensors, modules and optimizers, never an estimator or a task: the
set-up of a fit (:mod:`.setup`: training data, run plan, callbacks, engine),
the engine that runs the loop (:mod:`.engine`, on skorch, given the task's
loss and metric), in-memory batches (:mod:`.data`; :mod:`.stream` for data
read block by block), lean optimizer steps (:mod:`.step`), optimizers and
their parameter groups (:mod:`.optim`), convergence and progress callbacks
(:mod:`.callbacks`), CPU threads (:mod:`.threads`) and devices
(:mod:`.device`).
"""
