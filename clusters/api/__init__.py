"""The JSON API: public reads for everyone, writes for staff with the model's permission."""
