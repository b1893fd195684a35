"""One configuration of the probe end to end: data -> LM -> features -> encoder -> decoder."""
import os

import numpy as np
import torch

import hypervec as hv

import data
import decoding
import encoder
import features
import lm

DIM = 4096
CODEBOOK_SEED = 2025


def run_config(config, layernorm, source_root, seed=0):
    """Runs the pipeline with or without LayerNorm in the LM; returns
    {"rows": per-task result rows, "lm_test_accuracy", "layers", "k", "agreement"
    (per test document), "hits1" (per test document)}."""
    torch.manual_seed(seed)
    facts = os.path.join(source_root, "data", "facts")
    relations = data.read_relations(facts)
    train, test = data.make_dataset(facts, config["per_task"], seed)
    vocab = data.vocabulary(relations)
    token_id = {w: i for i, w in enumerate(vocab)}
    labels = data.concept_labels(relations)
    allowed = torch.tensor([token_id[w] for w in labels])
    max_len = max(len(d.tokens) for d in train + test)

    model = lm.TinyLM(len(vocab), max_len, d_model=config["d_model"], layers=config["layers"],
                      layernorm=layernorm)
    ids_train = lm.encode_prompts(train, token_id, max_len)
    ids_test = lm.encode_prompts(test, token_id, max_len)
    answers = torch.tensor([token_id[d.target] for d in train])
    lm.train_lm(model, ids_train, answers, config["lm_steps"], 128, config["lm_lr"], seed)
    _, states_train = lm.run_lm(model, ids_train, allowed)
    pred_test, states_test = lm.run_lm(model, ids_test, allowed)
    lm_answers = [vocab[i] for i in pred_test.tolist()]

    feats_train, layers, k = features.probe_features(states_train)
    feats_test, _, _ = features.probe_features(states_test)

    codebook = hv.functional.random(len(labels), DIM, "MAP", seed=CODEBOOK_SEED)
    row = {w: i for i, w in enumerate(labels)}
    y_train = encoder.vsa_targets(train, codebook, row)
    y_test = encoder.vsa_targets(test, codebook, row)
    enc, mean, std = encoder.train_encoder(feats_train, y_train, config["hidden"],
                                           config["enc_epochs"], 64, config["enc_lr"],
                                           config["dropout"], seed)
    vectors = encoder.encode(enc, mean, std, feats_test)

    results = decoding.decode(codebook, labels, vectors, test)
    agreement = decoding.sign_agreement(vectors, y_test)
    rows = decoding.task_rows(results, test, agreement, lm_answers, data.TASKS)
    hits1 = np.array([r["rank"] == 1 for r in results])
    return {"rows": rows, "layers": layers, "k": k, "agreement": agreement, "hits1": hits1,
            "tasks": [d.task for d in test], "train_docs": len(train)}
