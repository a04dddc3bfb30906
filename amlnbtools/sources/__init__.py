"""Where logs, runs and services come from: files on disk, azureml-core, the local server.

Adapters import their SDK only when used, so ``import amlnbtools`` stays light.
"""
