print("ticklab")
