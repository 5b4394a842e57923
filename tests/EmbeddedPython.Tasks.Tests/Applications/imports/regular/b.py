value = "b"
