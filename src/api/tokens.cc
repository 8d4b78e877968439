// Placeholder: tokens (being written).
