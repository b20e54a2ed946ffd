"""Complaint topics found in the mentions' vectors, assigned as mentions are scored.

- :mod:`scoring.topics.vectors`: the compact form a mention's vector is kept in (float16);
- :mod:`scoring.topics.cluster`: discovery (scikit-learn's HDBSCAN), nearest-centroid
  assignment with a cut-off, splitting a topic in two, matching a new discovery to old topics;
- :mod:`scoring.topics.label`: distinctive terms (class-based TF-IDF), example posts, and the
  configured topics' keywords matched as whole words (seeds);
- :mod:`scoring.topics.discover`: one discovery from vectors and texts to labelled topics;
- :mod:`scoring.topics.emerging`: each topic's volume and negative share against its own
  baseline, and the alert when it leaves its normal range;
- :mod:`scoring.topics.report`: the product report (volume, trend, negative share, reach,
  examples, fans won back per topic over a window against the one before);
- :mod:`scoring.topics.service`: the edge that reads and writes the store.

Everything but the service is pure: arrays and texts in, arrays and records out; time is an
argument.
"""
