print("about to crash")
raise ValueError("the crash the test expects")
