from module1 import function1

print(function1())
