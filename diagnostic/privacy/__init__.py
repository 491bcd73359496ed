"""Privacy (GDPR): the notice and its promises, a person's data, erasure, retention."""
