"""Sampling: uniform draws, their quantiles and the Saltelli design.

Correlated uniform draws of the inputs (Gaussian copula, :func:`_uniforms`), their
transformation to input values through each input's quantile function
(:func:`_ppf_matrix`), and the Saltelli sample matrices of a Sobol analysis
(:func:`saltelli_samples`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats
from scipy.stats import qmc

from ..inputs.uncertainty import UncertainInput


def _uniforms(rng: np.random.Generator, n: int, inputs: Sequence[UncertainInput],
              correlation: Mapping[tuple[str, str], float] | None) -> np.ndarray:
    """Probabilities (n, K): independent uniforms, or a Gaussian copula with the given
    correlations of the normal scores (Iman and Conover 1982)."""
    k = len(inputs)
    if not correlation:
        return rng.random((n, k))
    ids = {u.input_id: j for j, u in enumerate(inputs)}
    c = np.eye(k)
    for (a, b), rho in correlation.items():
        if a not in ids or b not in ids:
            raise ValueError(f"correlation names unknown input(s): {a!r}, {b!r}")
        c[ids[a], ids[b]] = c[ids[b], ids[a]] = float(rho)
    try:
        chol = np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError("correlation matrix is not positive definite") from None
    return stats.norm.cdf(rng.standard_normal((n, k)) @ chol.T)


def _ppf_matrix(inputs: Sequence[UncertainInput], u: np.ndarray) -> np.ndarray:
    """Draws (n, K) from probabilities (n, K), column by column (a loop over inputs)."""
    x = np.empty(u.shape)
    for j, inp in enumerate(inputs):
        x[:, j] = inp.ppf(u[:, j])
    return x


def saltelli_samples(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent quasi-random sample matrices on the unit hypercube.

    The first and last ``k`` columns of a scrambled Sobol' sequence in ``2k``
    dimensions, as Saltelli et al. (2010) recommend; ``n`` is rounded up to a power
    of two (the sequence's balance needs it).

    Parameters
    ----------
    n : int
        Base samples :math:`N` (rounded up to :math:`2^m`).
    k : int
        Number of inputs :math:`K`.
    seed : int, default 0
        Scrambling seed.

    Returns
    -------
    A, B : numpy.ndarray, shape (2**m, k)
        Probabilities in (0, 1).

    References
    ----------
    Saltelli, A. et al. (2010). Computer Physics Communications 181, 259-270.

    Examples
    --------
    >>> a, b = saltelli_samples(100, 3)
    >>> a.shape, b.shape
    ((128, 3), (128, 3))
    """
    m = max(1, math.ceil(math.log2(max(n, 2))))
    p = qmc.Sobol(d=2 * k, scramble=True, rng=np.random.default_rng(seed)).random_base2(m)
    eps = np.finfo(float).eps
    p = np.clip(p, eps, 1.0 - eps)
    return p[:, :k], p[:, k:]
