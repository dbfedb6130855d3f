"""Analysis of responses: the tidy frame, quiz scores and summaries."""
