// Placeholder: the demo day (being written).
