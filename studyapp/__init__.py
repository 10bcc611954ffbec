"""studyapp: review Markdown cards in the terminal with FSRS scheduling."""
