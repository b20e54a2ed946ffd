"""One module per platform: how to read it and how to normalize one post."""
