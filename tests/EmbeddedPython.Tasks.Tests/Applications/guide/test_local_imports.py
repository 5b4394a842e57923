from module1 import function1
from package1.module2 import function2
import module1

print(function1())
print(function2())
print(module1.function1 is function1)
