"""The probe's residual features: last-token states, middle layer..last, clustered over
layers by k-means and the centroids summed (one d_model vector per document)."""
import torch


def kmeans_rows(x, k, iterations=50):
    """k-means of the rows of x (L, d), deterministic: initial centroids are k rows
    evenly spaced over the layers; returns centroids (k, d). An empty cluster keeps
    its previous centroid."""
    start = torch.linspace(0, len(x) - 1, k).round().long()
    centroids = x[start].clone()
    for _ in range(iterations):
        assign = torch.cdist(x, centroids).argmin(1)
        new = centroids.clone()
        for j in range(k):
            if (assign == j).any():
                new[j] = x[assign == j].mean(0)
        if torch.allclose(new, centroids):
            break
        centroids = new
    return centroids


def probe_features(states, k_max=5):
    """states (N, layers+1, d) -> (features (N, d), layers used, k): the rows from the
    middle layer (layers // 2) to the last, k = min(k_max, ceil(rows / 2)) clusters,
    centroids summed."""
    layers = states.shape[1] - 1
    rows = states[:, layers // 2:]
    k = min(k_max, (rows.shape[1] + 1) // 2)
    feats = torch.stack([kmeans_rows(r, k).sum(0) for r in rows])
    return feats, (layers // 2, layers), k
