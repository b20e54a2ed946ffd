"""The bottom layer: what every package shares and that imports nothing of the product.

- :mod:`core.errors`: the one error tree;
- :mod:`core.clock`: the ``Clock`` that every stage reads time from (real or fixed);
- :mod:`core.records`: the normalized mention and author records every source yields;
- :mod:`core.stages`: the names of a case's stages;
- :mod:`core.config`: the settings' sections, which the shell reads and hands down.
"""
