"""Reference values for the unit tests of `nudge_experiments::stats`, from SciPy, NumPy and mpmath.

Reproduce (versions used: SciPy 1.17.1, NumPy 2.4.6, mpmath 1.4.1):

    python3 -m venv /tmp/scipy && /tmp/scipy/bin/pip install scipy numpy mpmath
    /tmp/scipy/bin/python shared/experiments/src/stats/fixtures.py

Each section prints the Rust literals pasted into the test of the same name; `bayes_approximation_error`
prints the measurement behind the accuracy documented in `bayes.rs`. Nothing reads this file at build
or test time.
"""

import warnings

import mpmath as mp
import numpy as np
from scipy import integrate, stats

mp.mp.dps = 50


def r(x):
    """A float as Rust reads it back exactly (17 significant digits)."""
    return repr(float(x))


def special():
    print("// special: Student t two-sided p and critical values, normal two-sided p (scipy.stats)")
    for df in [1.0, 2.5, 29.9, 30.5, 45.0, 1e3, 2e5, 2e7, 1e9]:
        for t in [0.01, 0.7, 1.7, 2.5, 6.0, 40.0]:
            print(f"({r(df)}, {r(t)}, {r(2 * stats.t.sf(t, df))}),")
    print("// critical: confidence, df, t")
    for conf in [0.5, 0.9, 0.95, 0.999]:
        for df in [1.0, 2.5, 30.5, 1e3, 2e5, 2e7, 1e9]:
            print(f"({conf}, {r(df)}, {r(stats.t.ppf(0.5 + conf / 2, df))}),")
    print("// normal: z, p")
    for z in [0.0, 0.3, 1.0, 1.959963984540054, 3.0, 6.0, 12.0, 37.0]:
        print(f"({r(z)}, {r(2 * stats.norm.sf(z))}),")


def srm():
    print("// srm: observed, weights, chi2, p-value (scipy.stats.chisquare)")
    cases = [
        ([5000, 4600], [0.5, 0.5]),
        ([5000, 4900], [1.0, 1.0]),
        ([3300, 3350, 3250], [1.0, 1.0, 1.0]),
        ([1000, 2000, 1100], [0.25, 0.5, 0.25]),
        ([10, 0], [0.5, 0.5]),
        ([50_000, 50_600, 49_100, 50_300], [1.0, 1.0, 1.0, 1.0]),
        ([20_000, 60_400], [0.25, 0.75]),
    ]
    for observed, weights in cases:
        w = np.array(weights) / sum(weights)
        expected = w * sum(observed)
        res = stats.chisquare(observed, expected)
        print(f"(&{observed}, &{weights}, {r(res.statistic)}, {r(res.pvalue)}),")


def two_proportion():
    print("// two_proportion: control, variant, confidence, [difference, uplift, z, p, lower, upper]")
    cases = [
        ((1000, 100), (1000, 120), 0.95),
        ((5000, 400), (4800, 410), 0.95),
        ((20_000, 3_000), (20_000, 3_300), 0.99),
        ((250, 10), (260, 25), 0.90),
        ((1_000_000, 31_000), (1_000_000, 31_500), 0.95),
        ((40, 39), (45, 30), 0.95),
    ]
    for (n0, s0), (n1, s1), conf in cases:
        p0, p1 = s0 / n0, s1 / n1
        d = p1 - p0
        pooled = (s0 + s1) / (n0 + n1)
        z = d / np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        p = 2 * stats.norm.sf(abs(z))
        # The same p-value from the 2x2 table's chi-squared test (no continuity correction).
        table = [[s0, n0 - s0], [s1, n1 - s1]]
        chi2 = stats.chi2_contingency(table, correction=False)
        assert abs(chi2.pvalue - p) <= 1e-12 * p, (chi2.pvalue, p)
        se = np.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
        crit = stats.norm.ppf(0.5 + conf / 2)
        print(
            f"(({n0}, {s0}), ({n1}, {s1}), {conf}, "
            f"[{r(d)}, {r(d / p0)}, {r(z)}, {r(p)}, {r(d - crit * se)}, {r(d + crit * se)}]),"
        )


def moments():
    scores = np.array([3, 7, 7, 19, 4.5])
    print("// moments:", len(scores), r(scores.sum()), r((scores**2).sum()), r(scores.mean()), r(scores.var(ddof=1)))


def welch():
    print("// welch: control, variant, confidence, [difference, t, df, p, lower, upper]")
    rng = np.random.default_rng(20240501)
    cases = [
        (rng.normal(70, 12, 40), rng.normal(74, 18, 55), 0.95),
        (rng.normal(5.0, 1.0, 8), rng.normal(5.2, 3.0, 5), 0.95),
        (rng.exponential(20, 300), rng.exponential(22, 280), 0.99),
        (rng.normal(50, 10, 2), rng.normal(51, 10, 3), 0.95),
        (rng.normal(100, 15, 200_000), rng.normal(100.1, 15, 190_000), 0.95),
        (rng.normal(0.5, 0.2, 30), rng.normal(0.5, 0.2, 30), 0.80),
    ]
    for control, variant, conf in cases:
        res = stats.ttest_ind(variant, control, equal_var=False)
        ci = res.confidence_interval(conf)
        m = lambda x: f"moments({len(x)}, {r(x.mean())}, {r(x.var(ddof=1))})"
        print(
            f"({m(control)}, {m(variant)}, {conf}, [{r(variant.mean() - control.mean())}, "
            f"{r(res.statistic)}, {r(res.df)}, {r(res.pvalue)}, {r(ci.low)}, {r(ci.high)}]),"
        )


def miller(a, b, c, d):
    """P(Y > X), X ~ Beta(a, b), Y ~ Beta(c, d), integer c: Evan Miller's sum, term by term in mpmath."""
    a, b, c, d = map(mp.mpf, (a, b, c, d))
    total = mp.mpf(0)
    for i in range(int(c)):
        total += mp.beta(a + i, b + d) / ((d + i) * mp.beta(1 + i, d) * mp.beta(a, b))
    return total


def quad_chance_and_loss(a, b, c, d):
    """P(Y > X) and E[max(X - Y, 0)] for X ~ Beta(a, b), Y ~ Beta(c, d), by adaptive quadrature over
    the narrower of the two posteriors (the other's distribution function is smooth on its scale),
    on 64 panels spanning its central 1 - 2e-16."""
    x_dist, y_dist = stats.beta(a, b), stats.beta(c, d)
    x_plus, y_plus = stats.beta(a + 1, b), stats.beta(c + 1, d)
    mean_x, mean_y = a / (a + b), c / (c + d)
    opts = dict(epsabs=1e-17, epsrel=1e-13, limit=200)
    sd = lambda p, q: np.sqrt(p * q / ((p + q) ** 2 * (p + q + 1)))
    if sd(a, b) <= sd(c, d):
        outer = x_dist
        # P(Y > x); E[(x - Y)+] = x F_Y(x) - E[Y] F_{Y+}(x).
        chance_at = lambda x: y_dist.sf(x)
        loss_at = lambda x: x * y_dist.cdf(x) - mean_y * y_plus.cdf(x)
    else:
        outer = y_dist
        # P(X < y); E[(X - y)+] = E[X] S_{X+}(y) - y S_X(y).
        chance_at = lambda y: x_dist.cdf(y)
        loss_at = lambda y: mean_x * x_plus.sf(y) - y * x_dist.sf(y)
    edges = np.linspace(outer.ppf(1e-16), outer.isf(1e-16), 65)
    chance = loss = 0.0
    for u, v in zip(edges[:-1], edges[1:]):
        chance += integrate.quad(lambda t: outer.pdf(t) * chance_at(t), u, v, **opts)[0]
        # (SciPy may warn of roundoff here: the integrand's two terms nearly cancel in the tails. The
        # value agrees to about 1e-12 with the integral over the other posterior.)
        loss += integrate.quad(lambda t: outer.pdf(t) * loss_at(t), u, v, **opts)[0]
    return chance, loss


def posterior(n, s):
    return 1 + s, 1 + n - s


def bayes_exact():
    print("// bayes_exact: control, variant, [chance, loss, control loss]")
    cases = [
        ((1000, 100), (1000, 120)),
        ((200, 30), (200, 44)),
        ((50, 2), (60, 1)),
        ((0, 0), (10, 3)),
        ((3000, 2900), (3100, 3010)),
        ((10_000, 500), (10_000, 430)),
    ]
    for control, variant in cases:
        a, b = posterior(*control)
        c, d = posterior(*variant)
        chance = miller(a, b, c, d)
        # E[max(X - Y, 0)] = E[X] P(X+ > Y) - E[Y] P(X > Y+), each probability a Miller sum.
        loss = mp.mpf(a) / (a + b) * (1 - miller(a + 1, b, c, d)) - mp.mpf(c) / (c + d) * (
            1 - miller(a, b, c + 1, d)
        )
        control_loss = loss + mp.mpf(c) / (c + d) - mp.mpf(a) / (a + b)
        q_chance, q_loss = quad_chance_and_loss(a, b, c, d)
        assert abs(q_chance - float(chance)) < 1e-10, (q_chance, chance)
        assert abs(q_loss - float(loss)) < 1e-10 * max(float(loss), 1e-6), (q_loss, loss)
        print(f"({control}, {variant}, [{r(chance)}, {r(loss)}, {r(control_loss)}]),")


def bayes_exact_near_limit():
    print("// bayes_exact_near_limit: control, variant, [chance, loss, control loss] by quadrature")
    cases = [
        ((1_000_000, 95_000), (1_000_000, 96_000)),
        ((150_000, 50_000), (3_000_000, 1_001_000)),
    ]
    for control, variant in cases:
        a, b = posterior(*control)
        c, d = posterior(*variant)
        chance, loss = quad_chance_and_loss(a, b, c, d)
        control_loss = loss + c / (c + d) - a / (a + b)
        print(f"({control}, {variant}, [{r(chance)}, {r(loss)}, {r(control_loss)}]),")


def bayes_large():
    print("// bayes_large: control, variant, [chance, loss, control loss] by quadrature")
    cases = [
        ((2_000_000, 200_500), (2_000_000, 201_200)),
        ((400_000, 150_000), (40_000_000, 15_010_000)),
        ((10_000_000, 5_000_000), (10_000_000, 5_004_000)),
    ]
    for control, variant in cases:
        a, b = posterior(*control)
        c, d = posterior(*variant)
        chance, loss = quad_chance_and_loss(a, b, c, d)
        control_loss = loss + c / (c + d) - a / (a + b)
        print(f"({control}, {variant}, [{r(chance)}, {r(loss)}, {r(control_loss)}]),")


def edgeworth(a, b, c, d):
    def cumulants(p, q):
        s = p + q
        return p / s, p * q / (s * s * (s + 1)), 2 * p * q * (q - p) / (s**3 * (s + 1) * (s + 2))

    mx, vx, kx = cumulants(a, b)
    my, vy, ky = cumulants(c, d)
    mu, sigma = my - mx, np.sqrt(vx + vy)
    gamma, k = (ky - kx) / sigma**3, -(my - mx) / sigma
    phi = stats.norm.pdf(k)
    chance = stats.norm.sf(k) + phi * gamma * (k * k - 1) / 6
    loss = sigma * (k * stats.norm.cdf(k) + phi + gamma * k * phi / 6)
    return chance, loss


def bayes_approximation_error():
    print("// bayes_approximation_error: posterior params, chance error, loss relative error")
    limit = 100_001
    cases = [
        (limit, 9 * limit, limit + 300, 9 * limit),
        (limit, 9 * limit, 100 * limit, 900 * limit),
        (limit, 9 * limit, 100 * limit + 30_000, 900 * limit),
        (limit, limit, limit + 500, limit - 500),
        (limit, 1000 * limit, limit + 1000, 1000 * limit),
        (5 * limit, 5 * limit, 5 * limit + 1500, 5 * limit),
    ]
    worst = 0.0
    for a, b, c, d in cases:
        chance, loss = quad_chance_and_loss(a, b, c, d)
        e_chance, e_loss = edgeworth(a, b, c, d)
        worst = max(worst, abs(e_chance - chance))
        print(f"// {(a, b, c, d)}: {e_chance - chance:.2e}, {(e_loss - loss) / loss:.2e}")
    print(f"// worst chance error {worst:.2e}")


def sequential():
    print("// sequential: rho^2 for alpha 0.05, N* 5000, then single looks and a sequence")

    def rho2(alpha, n_star):
        m = -2 * mp.log(mp.mpf(alpha))
        return (m + mp.log(1 + m)) / n_star

    def inverse_lambda(control, variant, alpha, n_star):
        (n0, s0), (n1, s1) = control, variant
        n0, s0, n1, s1 = map(mp.mpf, (n0, s0, n1, s1))
        pooled = (s0 + s1) / (n0 + n1)
        v = pooled * (1 - pooled) * (1 / n0 + 1 / n1)
        theta = s1 / n1 - s0 / n0
        tau2 = rho2(alpha, n_star) * (n0 + n1) * v
        lam = mp.sqrt(v / (v + tau2)) * mp.exp(tau2 * theta**2 / (2 * v * (v + tau2)))
        return min(mp.mpf(1), 1 / lam)

    print(f"// rho^2 = {r(rho2(0.05, 5000))}")
    cases = [
        ((1000, 100), (1000, 120), 0.05, 5000),
        ((5000, 500), (5000, 580), 0.05, 5000),
        ((20_000, 2_000), (20_000, 2_200), 0.05, 5000),
        ((20_000, 2_000), (20_000, 2_200), 0.01, 100_000),
        ((300, 30), (310, 60), 0.1, 1000),
        ((1_000_000, 100_000), (1_000_000, 101_000), 0.05, 5000),
    ]
    for control, variant, alpha, n_star in cases:
        print(f"({control}, {variant}, {alpha}, {float(n_star)}, {r(inverse_lambda(control, variant, alpha, n_star))}),")
    print("// sequence: cumulative control, variant, running p")
    days = [((800, 80), (800, 95)), ((700, 72), (720, 90)), ((900, 85), (880, 120)),
            ((750, 70), (760, 70)), ((820, 90), (800, 118))]
    control, variant, running = (0, 0), (0, 0), mp.mpf(1)
    for (dc, dv) in days:
        control = (control[0] + dc[0], control[1] + dc[1])
        variant = (variant[0] + dv[0], variant[1] + dv[1])
        running = min(running, inverse_lambda(control, variant, 0.05, 5000))
        fixed = 2 * stats.norm.sf(abs(float((variant[1] / variant[0] - control[1] / control[0]) / np.sqrt(
            (control[1] + variant[1]) / (control[0] + variant[0])
            * (1 - (control[1] + variant[1]) / (control[0] + variant[0]))
            * (1 / control[0] + 1 / variant[0])))))
        print(f"({control}, {variant}, {r(running)}), // fixed-horizon p {fixed:.4g}")


if __name__ == "__main__":
    warnings.simplefilter("ignore", integrate.IntegrationWarning)
    for section in (special, srm, two_proportion, moments, welch, bayes_exact, bayes_exact_near_limit, bayes_large,
                    bayes_approximation_error, sequential):
        section()
        print()
