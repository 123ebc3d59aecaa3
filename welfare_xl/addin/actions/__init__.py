"""One module per group of ribbon buttons; each is imported only when its button is pressed."""
